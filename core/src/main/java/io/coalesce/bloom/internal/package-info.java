/**
 * Not API: where a Bloom filter's bits live ({@link io.coalesce.bloom.internal.KeyBloom}) and how
 * a key maps to them ({@link io.coalesce.bloom.internal.BloomShape}), public only so that the Redis
 * module can implement the shared filter. They may change in any release.
 */
package io.coalesce.bloom.internal;
