package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

/**
 * Spring AOT records the reflection a native image needs for annotated beans: the cached value types
 * (the codec writes and reads them), unwrapped from {@code Optional} and {@code CompletableFuture} and
 * followed into generics, and the parameter types a key expression navigates.
 */
class CoalesceRuntimeHintsTest {

  record Price(long cents, Currency currency) {}

  record Currency(String code) {}

  record Tag(String name) {}

  record Order(String id) {}

  record Untouched(String id) {}

  static class Prices {

    @Coalesced(cache = "prices", key = "#id")
    public Optional<Price> price(long id) {
      return Optional.empty();
    }

    @Coalesced(cache = "tags")
    public CompletableFuture<List<Tag>> tags(String product) {
      return CompletableFuture.completedFuture(List.of());
    }

    @CoalescedEvict(cache = "orders", key = "#order.id")
    public void cancel(Order order, Untouched notInTheKey) {}

    public Untouched notAnnotated() {
      return null;
    }
  }

  @Test
  void cachedValueTypesAndKeyExpressionParametersAreRegisteredForReflection() {
    RuntimeHints hints = processAheadOfTime(Prices.class);

    assertThat(RuntimeHintsPredicates.reflection().onType(Price.class)
        .withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(hints);
    assertThat(hints.reflection().getTypeHint(Price.class).methods())
        .as("the record's accessors, which Jackson calls").anyMatch(method -> method.getName().equals("cents"));
    assertThat(RuntimeHintsPredicates.reflection().onType(Currency.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(Tag.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(Order.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(Untouched.class)).rejects(hints);
  }

  private static RuntimeHints processAheadOfTime(Class<?> beanClass) {
    GenericApplicationContext context = new GenericApplicationContext();
    context.registerBean(beanClass);
    DefaultGenerationContext generation = new DefaultGenerationContext(
        new ClassNameGenerator(ClassName.get("io.coalesce.aot", "Test")), new InMemoryGeneratedFiles());
    new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
    return generation.getRuntimeHints();
  }
}
