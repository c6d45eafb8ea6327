package io.coalesce.spring;

import io.coalesce.core.CompositeKey;

/**
 * Computes the cache key of one call of one method; built once per method at start-up, so a call
 * never parses anything. The fast paths (no {@code key} attribute) allocate nothing for one
 * argument.
 */
@FunctionalInterface
interface KeyResolver {

  /**
   * @param args the call's arguments
   * @param target the object the method was called on
   * @param result the method's (unwrapped) result, for {@code @CoalescedPut}; otherwise {@code null}
   */
  Object resolve(Object[] args, Object target, Object result);

  /** The only argument is the key. */
  KeyResolver SINGLE_ARGUMENT = (args, target, result) -> args[0];

  /** All arguments, in order, form the key. */
  KeyResolver ALL_ARGUMENTS = (args, target, result) -> CompositeKey.of(args);

  /** A method without arguments has one key. */
  KeyResolver NO_ARGUMENTS = (args, target, result) -> CompositeKey.EMPTY;

  /** The default key for a method of {@code parameterCount} parameters. */
  static KeyResolver ofArguments(int parameterCount) {
    return switch (parameterCount) {
      case 0 -> NO_ARGUMENTS;
      case 1 -> SINGLE_ARGUMENT;
      default -> ALL_ARGUMENTS;
    };
  }
}
