-- An evict. KEYS: value, lock, version, clear marker. ARGV: the version key's TTL, the channel, the
-- message's head and tail. Removes the value and its lock, gives the key a new version, tells every
-- instance; returns the new version. The data version stays: a put of an older row arriving late
-- still loses.
redis.call('DEL', KEYS[1], KEYS[2])
local version, versionText = newVersion(KEYS[3], KEYS[4])
redis.call('SET', KEYS[3], versionText, 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. versionText .. ARGV[4])
return versionText
