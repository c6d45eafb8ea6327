/**
 * Spring Boot 3.5 only: the health indicator and the Lettuce settings with the types Boot 3.5 keeps
 * where Boot 4 moved them. Inactive on Boot 4.
 */
package io.coalesce.autoconfigure.boot3;
