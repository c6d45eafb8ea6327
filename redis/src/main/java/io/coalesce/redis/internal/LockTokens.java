package io.coalesce.redis.internal;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tokens that name the owner of a rebuild lock: unique per lock attempt in the whole cluster. A
 * random 128-bit prefix drawn once per process, then a counter. {@code UUID.randomUUID()} per
 * attempt would draw from {@code SecureRandom} on every read that may take the lock, L2 hits
 * included, and its lock is shared by every thread.
 */
final class LockTokens {

  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  LockTokens() {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    prefix = HexFormat.of().formatHex(random) + '-';
  }

  String next() {
    return prefix + Long.toHexString(next.incrementAndGet());
  }
}
