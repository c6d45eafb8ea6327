package io.coalesce.spring;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.util.ReflectionUtils;

/**
 * Spring AOT: registers the reflection a native image needs for beans with Coalesce annotations
 * (Spring Data repository interfaces included): the cached value types, which the codec reads and
 * writes as JSON (with their type arguments: {@code List<Tag>} registers {@code Tag}), and the types
 * of the parameters a key expression names ({@code #order.id}, {@code #p0}), whose properties SpEL
 * reads reflectively. Registered in {@code META-INF/spring/aot.factories}.
 */
class CoalesceBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

  private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

  private static final Set<Class<? extends Annotation>> ANNOTATIONS =
      Set.of(Coalesced.class, CoalescedPut.class, CoalescedEvict.class);

  @Override
  public BeanRegistrationAotContribution processAheadOfTime(RegisteredBean bean) {
    Class<?> type = targetType(bean);
    if (type == null || !AnnotationUtils.isCandidateClass(type, ANNOTATIONS)) {
      return null;
    }
    Set<Type> types = new LinkedHashSet<>();
    for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
      collect(method, type, types);
    }
    if (types.isEmpty()) {
      return null;
    }
    List<Type> bound = new ArrayList<>(types);
    return (generationContext, code) -> new BindingReflectionHintsRegistrar()
        .registerReflectionHints(generationContext.getRuntimeHints().reflection(), bound.toArray(Type[]::new));
  }

  private static void collect(Method method, Class<?> type, Set<Type> types) {
    MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY);
    List<MergedAnnotation<?>> present = ANNOTATIONS.stream()
        .<MergedAnnotation<?>>map(annotations::get)
        .filter(MergedAnnotation::isPresent)
        .toList();
    if (present.isEmpty()) {
      return;
    }
    if (present.stream().anyMatch(a -> a.getType() != CoalescedEvict.class)) {
      addWithGenerics(valueType(ResolvableType.forMethodReturnType(method, type)), types);
    }
    String[] names = PARAMETER_NAMES.getParameterNames(method);
    for (MergedAnnotation<?> annotation : present) {
      String key = annotation.getString("key");
      for (int i = 0; i < method.getParameterCount(); i++) {
        if (refersTo(key, "p" + i) || refersTo(key, "a" + i) || (names != null && refersTo(key, names[i]))) {
          addWithGenerics(ResolvableType.forMethodParameter(method, i, type), types);
        }
      }
    }
  }

  /** Whether the key expression uses the variable {@code #name}. */
  private static boolean refersTo(String key, String name) {
    return Pattern.compile("#" + Pattern.quote(name) + "\\b").matcher(key).find();
  }

  /** The type the cache holds: {@code T} of {@code Optional<T>} or {@code CompletableFuture<T>}. */
  private static ResolvableType valueType(ResolvableType returnType) {
    Class<?> raw = returnType.toClass();
    if (raw == Optional.class) {
      return returnType.getGeneric(0);
    }
    if (CompletionStage.class.isAssignableFrom(raw)) {
      return returnType.as(CompletionStage.class).getGeneric(0);
    }
    return returnType;
  }

  /** {@code type} and the types of its type arguments and array components ({@code List<Tag>}: Tag too). */
  private static void addWithGenerics(ResolvableType type, Set<Type> types) {
    Class<?> resolved = type.resolve();
    if (resolved == null || !types.add(resolved)) {
      return;
    }
    if (type.isArray()) {
      addWithGenerics(type.getComponentType(), types);
    }
    for (ResolvableType generic : type.getGenerics()) {
      addWithGenerics(generic, types);
    }
  }

  /** The bean's class, or what its factory bean makes (a Spring Data repository's interface). */
  private static Class<?> targetType(RegisteredBean bean) {
    ResolvableType type = bean.getBeanType();
    if (FactoryBean.class.isAssignableFrom(type.toClass())) {
      Class<?> made = type.as(FactoryBean.class).getGeneric(0).resolve();
      if (made != null) {
        return made;
      }
    }
    return bean.getBeanClass();
  }
}
