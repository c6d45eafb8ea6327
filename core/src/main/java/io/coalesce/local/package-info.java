/**
 * The L1 tier: an in-process Caffeine cache, the first stop of a read after the Bloom guard. It
 * answers most reads without a lock or a network round trip.
 */
package io.coalesce.local;
