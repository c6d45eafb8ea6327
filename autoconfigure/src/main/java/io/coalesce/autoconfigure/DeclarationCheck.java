package io.coalesce.autoconfigure;

import io.coalesce.spring.CoalesceAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Checks, once the singletons exist, the Coalesce annotations of the beans the context has not
 * created: lazy, prototype or scoped ones, which would otherwise report a misdeclared method only
 * when first used (or never, for a bean nothing asks for). Their types are read from their
 * definitions; nothing is instantiated.
 */
final class DeclarationCheck implements SmartInitializingSingleton {

  private final ConfigurableListableBeanFactory beans;
  private final ObjectProvider<CoalesceAdvisor> advisor;

  DeclarationCheck(ConfigurableListableBeanFactory beans, ObjectProvider<CoalesceAdvisor> advisor) {
    this.beans = beans;
    this.advisor = advisor;
  }

  @Override
  public void afterSingletonsInstantiated() {
    CoalesceAdvisor checks = advisor.getIfAvailable();
    if (checks == null) {
      return;
    }
    // A created bean was already proxied and checked.
    for (Class<?> type : BeanTypes.of(beans, name -> !beans.containsSingleton(name))) {
      checks.checkDeclarations(ClassUtils.getUserClass(type));
    }
  }
}
