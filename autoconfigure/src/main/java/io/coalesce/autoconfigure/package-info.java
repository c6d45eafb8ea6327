/**
 * The Spring Boot auto-configuration: {@code coalesce.*} properties, the cache manager and the
 * advisor, the Redis tier, Bloom filters, metrics, the actuator endpoint and (Boot 4) the health
 * indicator. Thin wiring around the engine; every bean backs off when the application defines its own.
 */
package io.coalesce.autoconfigure;
