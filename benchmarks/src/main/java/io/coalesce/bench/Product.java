package io.coalesce.bench;

/** The cached value: small, as a row read by id is. */
public record Product(String sku, String name, long priceCents) implements java.io.Serializable {}
