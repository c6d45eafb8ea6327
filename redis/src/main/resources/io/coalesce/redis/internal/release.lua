-- Deletes the rebuild lock KEYS[1] only when the caller owns it (token ARGV[1]), and tells the
-- waiting instances (channel ARGV[2], message ARGV[3]) they may try it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
