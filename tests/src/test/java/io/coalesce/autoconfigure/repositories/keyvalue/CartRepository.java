package io.coalesce.autoconfigure.repositories.keyvalue;

import org.springframework.data.keyvalue.repository.KeyValueRepository;

/** A key-value repository whose domain type carries no {@code @RedisHash}: Spring Data Redis claims it all the same. */
public interface CartRepository extends KeyValueRepository<CartRepository.Cart, String> {

  record Cart(String id) {}
}
