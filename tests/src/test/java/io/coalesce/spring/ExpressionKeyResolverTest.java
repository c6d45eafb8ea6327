package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

class ExpressionKeyResolverTest {

  static class Keys {
    Object byId(long id, String region) {
      return null;
    }

    Object nested(Nested n, String second) {
      return null;
    }
  }

  /** Resolves another method's key while the outer key is being evaluated on the same thread. */
  public static final class Nested {
    private final KeyResolver inner;

    Nested(KeyResolver inner) {
      this.inner = inner;
    }

    public Object key() {
      return inner.resolve(new Object[] {7L, "inner"}, null, null);
    }
  }

  private static Method method(String name) {
    for (Method m : Keys.class.getDeclaredMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException(name);
  }

  @Test
  void aKeyThatIsOneParameterReadsTheArgumentWithoutEvaluating() {
    KeyResolver byName = ExpressionKeyResolver.parse("#region", method("byId"), false, "test");
    KeyResolver byPosition = ExpressionKeyResolver.parse("#p0", method("byId"), false, "test");
    assertThat(byName).isInstanceOf(ExpressionKeyResolver.ArgumentKeyResolver.class);
    assertThat(byName.resolve(new Object[] {1L, "eu"}, null, null)).isEqualTo("eu");
    assertThat(byPosition.resolve(new Object[] {1L, "eu"}, null, null)).isEqualTo(1L);
  }

  @Test
  void anExpressionSeesTheArgumentsOfItsOwnCallEvenWhenAnotherKeyIsResolvedWhileItRuns() {
    KeyResolver inner = ExpressionKeyResolver.parse("#region + '-' + #id", method("byId"), false, "test");
    KeyResolver outer = ExpressionKeyResolver.parse("#n.key() + ':' + #second + ':' + #root.methodName",
        method("nested"), false, "test");
    for (int i = 0; i < 300; i++) { // past SpEL's compile threshold, so compiled code is checked too
      assertThat(outer.resolve(new Object[] {new Nested(inner), "outer" + i}, null, null))
          .isEqualTo("inner-7:outer" + i + ":nested");
    }
  }

  @Test
  void theResultIsAVariableOfAPutKey() {
    KeyResolver resolver = ExpressionKeyResolver.parse("#result + #id", method("byId"), true, "test");
    assertThat(resolver.resolve(new Object[] {1L, "eu"}, null, "r")).isEqualTo("r1");
  }

  @Test
  void theReusableRootIsNeverReturnedAsAKey() {
    KeyResolver resolver = ExpressionKeyResolver.parse("#root", method("byId"), false, "test");
    Object key = resolver.resolve(new Object[] {1L, "eu"}, "target", null);
    assertThat(key).isInstanceOf(ExpressionKeyResolver.KeyRoot.class);
    assertThat(((ExpressionKeyResolver.KeyRoot) key).target()).isEqualTo("target");
  }
}
