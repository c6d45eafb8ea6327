-- Shared by the scripts that read or write a key's version (prepended to each).
-- A key's version is the larger of its own version key and its cache's clear marker (on Redis
-- Cluster, where a script cannot reach the cache-wide marker, the version key is passed twice).
-- A key's value (or false) and its version, in one command: an MGET of the value key (when given),
-- the version key and, unless the version key is passed twice, the clear marker.
local function readWithVersion(valueKey, versionKey, clearedKey)
  local keys = {versionKey}
  if clearedKey ~= versionKey then keys[#keys + 1] = clearedKey end
  if valueKey then table.insert(keys, 1, valueKey) end
  local got = redis.call('MGET', unpack(keys))
  local first = valueKey and 2 or 1
  local version = 0
  for i = first, #got do
    version = math.max(version, tonumber(got[i] or '0'))
  end
  return valueKey and got[1] or false, version
end

local function currentVersion(versionKey, clearedKey)
  local _, version = readWithVersion(nil, versionKey, clearedKey)
  return version
end

-- A new version: the server's clock in microseconds, or one more than the current version if that
-- is higher. A version therefore never comes back after its key expired or was flushed, so a load
-- that read it cannot mistake a later write for none. Returns the number and its digits.
local function newVersion(versionKey, clearedKey)
  local now = redis.call('TIME')
  local version = math.max(currentVersion(versionKey, clearedKey) + 1, tonumber(now[1]) * 1000000 + tonumber(now[2]))
  return version, string.format('%.0f', version)
end

-- Whether the decimal integer text a is greater than b (data versions may exceed a double's 53 bits).
local function greater(a, b)
  local negativeA, negativeB = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
  if negativeA ~= negativeB then return negativeB end
  if negativeA then a, b = string.sub(b, 2), string.sub(a, 2) end
  if #a ~= #b then return #a > #b end
  return a > b
end
