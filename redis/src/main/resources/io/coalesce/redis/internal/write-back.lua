-- A load's write-back, as a function of one key. Only while the key's version is the one the load
-- read and, with a token, while that token holds the rebuild lock. Whatever happens, a held lock is
-- released and the waiting instances are told the outcome at once: "loaded" with the value,
-- "released" without (the key changed, the lock was lost, or Redis refused the value for lack of
-- memory: then the error is returned after the release). The version key is made to outlive the
-- value (by local.ttl), so that every L1 copy of it can be ordered against later writes.
-- Returns 1 (stored), 0 (the key changed), -1 (the lock of the token is gone) or the error.
local function writeBack(key, lockKey, versionKey, clearedKey, value, ttl, token, readVersion, versionTtl,
    channel, loaded, released)
  local locked = token ~= ''
  if locked and redis.call('GET', lockKey) ~= token then
    redis.call('PUBLISH', channel, released)
    return -1
  end
  if currentVersion(versionKey, clearedKey) ~= tonumber(readVersion) then
    if locked then
      redis.call('DEL', lockKey)
      redis.call('PUBLISH', channel, released)
    end
    return 0
  end
  local stored = redis.pcall('SET', key, value, 'PX', ttl)
  if locked then redis.call('DEL', lockKey) end
  if type(stored) == 'table' and stored.err then
    if locked then redis.call('PUBLISH', channel, released) end
    return stored
  end
  local versionLeft = redis.call('PTTL', versionKey)
  if versionLeft > 0 and versionLeft < tonumber(versionTtl) then
    redis.call('PEXPIRE', versionKey, versionTtl)
  end
  redis.call('PUBLISH', channel, loaded)
  return 1
end
