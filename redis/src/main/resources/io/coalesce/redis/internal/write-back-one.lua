-- write-back.lua of one key. KEYS: value, lock, version, clear marker. ARGV: value, its TTL, the
-- lock token ('' for none), the version read, the version key's least TTL, the channel, the two
-- messages. A refused value's error is the script's error.
return writeBack(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7],
  ARGV[8])
