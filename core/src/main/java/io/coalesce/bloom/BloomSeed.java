package io.coalesce.bloom;

import java.util.stream.Stream;

/**
 * Every key that exists in one cache, for its Bloom filter. Declare one bean per cache with
 * {@code bloom.enabled}; until a cache's filter has been seeded from it, the filter lets every key
 * through.
 *
 * <pre>{@code
 * @Bean
 * BloomSeed productIds(ProductRepository products) {
 *   return BloomSeed.of("products", products::streamAllIds);
 * }
 * }</pre>
 *
 * <p>Keys must be in the same form as the {@code @Coalesced} key ({@code 42L} for {@code key =
 * "#id"} with a {@code long id}); they are compared by their string form, so {@code "42"} and
 * {@code 42L} are the same key. The stream is read once per seeding or rebuild, on a background
 * thread, and closed afterwards: a stream over a database cursor is fine (open the transaction it
 * needs inside {@link #keys()}).
 */
public interface BloomSeed {

  /** The cache whose keys these are. */
  String cache();

  /** Every key that exists now. */
  Stream<?> keys();

  /** A seed of cache {@code cache} whose keys come from {@code keys}. */
  static BloomSeed of(String cache, java.util.function.Supplier<? extends Stream<?>> keys) {
    return new BloomSeed() {
      @Override
      public String cache() {
        return cache;
      }

      @Override
      public Stream<?> keys() {
        return keys.get();
      }

      @Override
      public String toString() {
        return "BloomSeed[" + cache + "]";
      }
    };
  }
}
