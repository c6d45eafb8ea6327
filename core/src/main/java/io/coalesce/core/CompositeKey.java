package io.coalesce.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The key of a method whose key is all of its arguments (more than one, or none). Equal when the
 * arguments are equal, in order. Immutable as long as the arguments are.
 */
public final class CompositeKey {

  /** The key of a method without arguments. */
  public static final CompositeKey EMPTY = new CompositeKey(new Object[0]);

  private final Object[] parts;
  private final int hash;

  private CompositeKey(Object[] parts) {
    this.parts = parts;
    this.hash = Arrays.deepHashCode(parts);
  }

  /** A key of {@code parts} (copied). */
  public static CompositeKey of(Object... parts) {
    Objects.requireNonNull(parts, "parts");
    return parts.length == 0 ? EMPTY : new CompositeKey(parts.clone());
  }

  /** The parts of the key, in order. */
  public List<Object> parts() {
    return Arrays.asList(parts.clone());
  }

  /** How many parts the key has; with {@link #part(int)}, reads them without a copy. */
  int size() {
    return parts.length;
  }

  /** The part at {@code index}. */
  Object part(int index) {
    return parts[index];
  }

  @Override
  public boolean equals(Object other) {
    return this == other
        || (other instanceof CompositeKey that && hash == that.hash && Arrays.deepEquals(parts, that.parts));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Arrays.deepToString(parts);
  }
}
