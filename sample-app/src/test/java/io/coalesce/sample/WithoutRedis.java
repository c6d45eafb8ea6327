package io.coalesce.sample;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The sample as a newcomer first runs it: the whole app on a random port, with Redis pointed at a
 * closed port (1), so Coalesce runs L1-only and the tests need no Redis. One annotation so that
 * every test class shares one cached application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.data.redis.port=1")
@interface WithoutRedis {}
