/**
 * What users write: {@link io.coalesce.annotation.Coalesced} on a read method,
 * {@link io.coalesce.annotation.CoalescedEvict} and {@link io.coalesce.annotation.CoalescedPut}
 * on write methods. The first stop of the read path: the interceptor in
 * {@code io.coalesce.spring} turns these into calls on a {@code CoalescingCache}.
 */
package io.coalesce.annotation;
