package io.coalesce.bench;

/** A parameter object whose property is the key, for the SpEL-key rows ({@code key = "#q.sku"}). */
public final class Query {

  private final String sku;
  private final String locale;

  public Query(String sku, String locale) {
    this.sku = sku;
    this.locale = locale;
  }

  public String getSku() {
    return sku;
  }

  public String getLocale() {
    return locale;
  }
}
