-- A leader's read of one or more keys (of one Redis Cluster slot) in one call. KEYS in fours
-- (value, version, lock, clear marker), ARGV[1] the caller's clock (epoch millis), ARGV[2] the
-- lease, then one lock token per key. For each key: the value and its version, and, when there is
-- no value that may still serve at ARGV[1], SET lock token NX PX lease. Whether a value may serve is
-- read from its envelope's staleUntil (big-endian, bytes ${STALE_UNTIL_FIRST} to ${STALE_UNTIL_LAST},
-- counted from 1; see Envelope); a value in another format is returned without trying the lock, for
-- the caller to judge. Returns, per key, {value or false, version, 1 locked / 0 held elsewhere / -1
-- not tried}, one flat list.
local replies = {}
for i = 1, #KEYS / 4 do
  local k = (i - 1) * 4
  local value, version = readWithVersion(KEYS[k + 1], KEYS[k + 2], KEYS[k + 4])
  local servable = false
  if value then
    servable = true
    if #value >= ${HEADER_MIN} and string.byte(value, 1) == ${MAGIC}
        and string.byte(value, 2) >= ${FIRST_FORMAT} and string.byte(value, 2) <= ${LAST_FORMAT} then
      local staleUntil = 0
      for b = ${STALE_UNTIL_FIRST}, ${STALE_UNTIL_LAST} do
        staleUntil = staleUntil * 256 + string.byte(value, b)
      end
      servable = staleUntil > tonumber(ARGV[1])
    end
  end
  local locked = -1
  if not servable then
    if redis.call('SET', KEYS[k + 3], ARGV[2 + i], 'NX', 'PX', ARGV[2]) then
      locked = 1
    else
      locked = 0
    end
  end
  local r = (i - 1) * 3
  replies[r + 1] = value or false
  replies[r + 2] = string.format('%.0f', version)
  replies[r + 3] = locked
end
return replies
