/**
 * The Spring ring around the engine: the advisor and interceptor that turn the annotations into
 * {@code CoalescingCache} calls (the first stop of every read), key resolution (SpEL parsed once per
 * method), {@code coalesce.*} properties and the auto-configuration.
 */
package io.coalesce.spring;
