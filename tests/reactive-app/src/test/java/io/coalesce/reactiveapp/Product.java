package io.coalesce.reactiveapp;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of {@code product}; {@code version} goes up with every update. ({@code @Table} without a name:
 * each dialect spells the derived name its own way, H2's in capitals.)
 */
@Table
public record Product(@Id Long id, String name, long version) {
}
