/**
 * The Spring integration of the annotations: the first stop of every read. The
 * {@link io.coalesce.spring.CoalesceAdvisor} applies an interceptor to annotated methods; it resolves
 * each call's key (SpEL parsed once per method) and calls the method's
 * {@code io.coalesce.core.CoalescingCache}, with the method itself as the loader. Puts and evicts
 * follow the surrounding transaction's commit.
 */
package io.coalesce.spring;
