-- The start of a clear (a single Redis only). KEYS: the cache's clear marker. ARGV: its TTL.
-- Raises the marker to a new version, which every key of the cache now reads at least at, so that a
-- load that read any key before the clear cannot write it back after; returns it.
local version, versionText = newVersion(KEYS[1], KEYS[1])
redis.call('SET', KEYS[1], versionText, 'PX', ARGV[1])
return versionText
