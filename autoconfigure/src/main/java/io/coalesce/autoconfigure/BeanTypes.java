package io.coalesce.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The types of the application's beans, read from their definitions: nothing is created, so beans of
 * any scope (lazy, prototype, request) are seen. Spring's own infrastructure beans are left out, and
 * so is a bean whose type only its creation can tell.
 */
final class BeanTypes {

  private BeanTypes() {}

  /** The types of the beans whose names {@code include} accepts. */
  static List<Class<?>> of(ConfigurableListableBeanFactory beans, Predicate<String> include) {
    List<Class<?>> types = new ArrayList<>();
    for (String name : beans.getBeanDefinitionNames()) {
      if (!include.test(name) || beans.getBeanDefinition(name).getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
        continue;
      }
      try {
        Class<?> type = beans.getType(name, false);
        if (type != null) {
          types.add(type);
        }
      } catch (RuntimeException unresolvable) {
        // a type only its creation can tell
      }
    }
    return types;
  }
}
