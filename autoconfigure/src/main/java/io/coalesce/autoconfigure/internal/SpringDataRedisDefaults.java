package io.coalesce.autoconfigure.internal;

import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Keeps Spring Data Redis, which the starter brings only for its own Redis tier, out of an
 * application's repository set-up. Spring Boot enables Redis repositories whenever Spring Data Redis
 * is present, so a JPA application would scan its repositories a second time for Redis and log, for
 * each of them, that it "could not safely identify store assignment", after "Multiple Spring Data
 * modules found". When the application declares no Redis repository (no repository whose domain
 * type is a {@code @RedisHash}, none extending {@code KeyValueRepository}), this contributes, with
 * the lowest precedence, so that any setting of the application's wins:
 *
 * <ul>
 *   <li>{@code spring.data.redis.repositories.enabled=false}: Redis's scan would have found nothing;</li>
 *   <li>{@code logging.level.org.springframework.data.repository.config.RepositoryConfigurationDelegate=warn}:
 *       Spring Data logs "Multiple Spring Data modules found" at INFO from the class path alone, which
 *       no setting avoids. That logger's other INFO lines (the JPA scan's "Bootstrapping…" and
 *       "Finished … scanning") go with it.</li>
 * </ul>
 *
 * An application that declares Redis repositories is left exactly as Spring Boot configures it.
 * The packages looked at are those of the application's source classes (the
 * {@code @SpringBootApplication} class), as Spring Boot's repository scanning does.
 */
public final class SpringDataRedisDefaults {

  /** The name of the property source this adds. */
  public static final String PROPERTY_SOURCE = "coalesceSpringDataRedisDefaults";

  static final String REPOSITORIES_ENABLED = "spring.data.redis.repositories.enabled";
  static final String DELEGATE_LOG_LEVEL =
      "logging.level.org.springframework.data.repository.config.RepositoryConfigurationDelegate";

  private static final String REDIS_HASH = "org.springframework.data.redis.core.RedisHash";
  private static final String REPOSITORY = "org.springframework.data.repository.Repository";
  private static final String REPOSITORY_DEFINITION = "org.springframework.data.repository.RepositoryDefinition";
  private static final String KEY_VALUE_REPOSITORY = "org.springframework.data.keyvalue.repository.KeyValueRepository";

  private SpringDataRedisDefaults() {}

  /** Adds the defaults to {@code environment} unless the application (its {@code sources}) uses Redis repositories. */
  public static void apply(ConfigurableEnvironment environment, Set<Object> sources, ClassLoader classLoader) {
    if (environment.getPropertySources().contains(PROPERTY_SOURCE)) {
      return;
    }
    Map<String, Object> defaults = defaultsFor(sources, classLoader);
    if (!defaults.isEmpty()) {
      environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults));
    }
  }

  static Map<String, Object> defaultsFor(Set<Object> sources, ClassLoader classLoader) {
    if (!ClassUtils.isPresent(REDIS_HASH, classLoader) || !ClassUtils.isPresent(REPOSITORY, classLoader)) {
      return Map.of();
    }
    Set<String> packages = new LinkedHashSet<>();
    for (Object source : sources) {
      if (source instanceof Class<?> type && !type.getPackageName().isEmpty()) {
        packages.add(type.getPackageName()); // never the default package: that would scan the whole class path
      }
    }
    if (packages.isEmpty() || usesRedisRepositoriesOrCannotTell(packages, classLoader)) {
      return Map.of();
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(REPOSITORIES_ENABLED, "false");
    defaults.put(DELEGATE_LOG_LEVEL, "warn");
    return defaults;
  }

  /** When the scan itself fails, Spring Boot's own behaviour is kept: nothing is changed. */
  private static boolean usesRedisRepositoriesOrCannotTell(Set<String> packages, ClassLoader classLoader) {
    try {
      return usesRedisRepositories(packages, classLoader);
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  /** Whether a repository interface in {@code packages} is one Spring Data Redis would claim. */
  static boolean usesRedisRepositories(Set<String> packages, ClassLoader classLoader) {
    Class<?> repository = load(REPOSITORY, classLoader);
    Class<?> keyValueRepository = ClassUtils.isPresent(KEY_VALUE_REPOSITORY, classLoader)
        ? load(KEY_VALUE_REPOSITORY, classLoader) : null;
    RepositoryScanner scanner = new RepositoryScanner(classLoader);
    scanner.addIncludeFilter(new AssignableTypeFilter(repository));
    scanner.addIncludeFilter(new AnnotationTypeFilter(annotation(REPOSITORY_DEFINITION, classLoader), true, true));
    for (String basePackage : packages) {
      for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
        Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), classLoader);
        if (keyValueRepository != null && keyValueRepository.isAssignableFrom(type)) {
          return true;
        }
        Class<?> domainType = domainType(type, repository);
        if (domainType != null
            && MergedAnnotations.from(domainType, SearchStrategy.TYPE_HIERARCHY).isPresent(REDIS_HASH)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Class<?> domainType(Class<?> repositoryInterface, Class<?> repository) {
    Class<?> fromGenerics = ResolvableType.forClass(repositoryInterface).as(repository).resolveGeneric(0);
    if (fromGenerics != null) {
      return fromGenerics;
    }
    AnnotationAttributes definition =
        AnnotatedElementUtils.getMergedAnnotationAttributes(repositoryInterface, REPOSITORY_DEFINITION);
    return definition == null ? null : definition.getClass("domainClass");
  }

  private static Class<?> load(String name, ClassLoader classLoader) {
    return ClassUtils.resolveClassName(name, classLoader);
  }

  private static Class<? extends Annotation> annotation(String name, ClassLoader classLoader) {
    return load(name, classLoader).asSubclass(Annotation.class);
  }

  /** Finds interfaces, which component scanning skips. */
  private static final class RepositoryScanner extends ClassPathScanningCandidateComponentProvider {

    RepositoryScanner(ClassLoader classLoader) {
      super(false);
      setResourceLoader(new DefaultResourceLoader(classLoader));
    }

    @Override
    protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
      return definition.getMetadata().isInterface() && definition.getMetadata().isIndependent();
    }
  }
}
