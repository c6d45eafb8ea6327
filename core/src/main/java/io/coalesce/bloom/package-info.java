/**
 * The penetration guard: a Bloom filter per cache that answers "certainly absent" for keys that
 * were never seeded, loaded or put, so that requests for ids that do not exist never reach the
 * database. With Redis the bits are shared by every instance; without it, each instance keeps an
 * in-process filter. Seeded from {@link io.coalesce.bloom.BloomSeed} beans, rebuilt on demand or on a
 * schedule, and always failing open.
 */
package io.coalesce.bloom;
