-- write-back.lua of several keys in one call (of one Redis Cluster slot): KEYS in fours (value,
-- lock, version, clear marker), ARGV[1] the channel, then seven arguments per key (value, TTL,
-- token, version read, version key's least TTL, the two messages). One reply per key, -2 for a value
-- Redis refused.
local replies = {}
for i = 1, #KEYS / 4 do
  local k, a = (i - 1) * 4, 1 + (i - 1) * 7
  local reply = writeBack(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3],
    ARGV[a + 4], ARGV[a + 5], ARGV[1], ARGV[a + 6], ARGV[a + 7])
  if type(reply) == 'table' then reply = -2 end
  replies[i] = reply
end
return replies
