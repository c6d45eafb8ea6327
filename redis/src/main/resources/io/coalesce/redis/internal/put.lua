-- A put. KEYS: value, lock, version, clear marker, data version. ARGV: the version key's TTL, the
-- channel, the message's head and tail, the value, its TTL, its data version ('' for none).
-- With a data version lower than the one stored, nothing changes: returns {0, current version}.
-- Otherwise removes the value and the rebuild lock first (a delete is allowed when Redis's memory is
-- full, so even a put Redis refuses takes the replaced value away), gives the key a new version (so
-- that a load under way elsewhere cannot write back over the put), writes the value and tells every
-- instance, with the new version: returns {1, new version}.
if ARGV[7] ~= '' then
  local held = redis.call('GET', KEYS[5])
  if held and greater(held, ARGV[7]) then
    return {0, string.format('%.0f', currentVersion(KEYS[3], KEYS[4]))}
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
local version, versionText = newVersion(KEYS[3], KEYS[4])
redis.call('SET', KEYS[3], versionText, 'PX', ARGV[1])
redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[6])
if ARGV[7] ~= '' then
  redis.call('SET', KEYS[5], ARGV[7], 'PX', ARGV[1])
end
redis.call('PUBLISH', ARGV[2], ARGV[3] .. versionText .. ARGV[4])
return {1, versionText}
