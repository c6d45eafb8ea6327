package io.coalesce.spring;

/**
 * What the interceptor does around one method: a cached read, or a method that runs and then puts
 * and/or evicts. Each part may be {@code null}; a read excludes the others.
 */
record MethodOperations(CacheOperation read, CacheOperation put, CacheOperation evict) {}
