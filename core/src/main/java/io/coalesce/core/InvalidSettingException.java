package io.coalesce.core;

/** A cache setting has a value it cannot take; {@link #setting()} names it, as in application.yml. */
public class InvalidSettingException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String setting;
  private final String reason;

  public InvalidSettingException(String setting, String reason) {
    super(setting + " " + reason);
    this.setting = setting;
    this.reason = reason;
  }

  /** The setting's name relative to a cache, e.g. {@code stale-ttl} or {@code local.maximum-size}. */
  public String setting() {
    return setting;
  }

  /** Why the value was rejected, e.g. "must be in [0, 1), but was 1.5". */
  public String reason() {
    return reason;
  }
}
