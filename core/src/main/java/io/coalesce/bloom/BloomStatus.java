package io.coalesce.bloom;

import java.time.Instant;

/**
 * The state of one cache's Bloom filter, for operators (the actuator endpoint shows it).
 *
 * @param mode {@code redis} (shared by every instance) or {@code in-process}
 * @param ready whether it answers; while not, every key passes
 * @param generation builds so far (0: never built)
 * @param builtAt when the filter in use was built, or {@code null}
 * @param seed the {@link BloomSeed} it is built from, or {@code null} when there is none (then it
 *     never becomes ready)
 * @param lastBuildKeys keys streamed by the build that made the filter in use, whichever instance
 *     ran it (with Redis, the builder records its numbers there for the others), or -1 when unknown
 *     (never built, or built before this was recorded)
 * @param lastBuildMillis how long that build took, or -1 when unknown
 * @param builtByThisInstance whether this instance ran that build
 */
public record BloomStatus(String cache, String mode, boolean ready, long generation, Instant builtAt,
    long expectedInsertions, double falsePositiveRate, long bits, int hashes, int segments, String seed,
    long lastBuildKeys, long lastBuildMillis, boolean builtByThisInstance) {}
