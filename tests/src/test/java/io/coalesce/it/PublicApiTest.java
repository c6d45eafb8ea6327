package io.coalesce.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public surface is what docs/api.md lists, no more and no less: a type that becomes public by
 * accident (or a listed one that disappears) fails here. Types in {@code ..internal..} packages are
 * public only for wiring between the modules and are not API. Checked on the jars as an application
 * gets them from the starter.
 */
class PublicApiTest {

  private static final Pattern LISTED = Pattern.compile("^\\| `(io\\.coalesce\\.[\\w.$]+)` \\|");

  static JavaClasses coalesce;

  @BeforeAll
  static void importJars() {
    coalesce = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.coalesce");
  }

  @Test
  void everyPublicTypeOutsideInternalPackagesIsListedInTheApiReference() throws IOException {
    Set<String> publicTypes = coalesce.stream()
        .filter(PublicApiTest::isApi)
        .map(JavaClass::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of(System.getProperty("coalesce.project.dir", "../.."), "docs", "api.md"))) {
      Matcher m = LISTED.matcher(line);
      if (m.find()) {
        listed.add(m.group(1));
      }
    }

    assertThat(publicTypes).as("public types (compare with docs/api.md)").isNotEmpty();
    assertThat(publicTypes).as("public types missing from docs/api.md").isSubsetOf(listed);
    assertThat(listed).as("types listed in docs/api.md that are not public (or do not exist)").isSubsetOf(publicTypes);
  }

  @Test
  void theEngineUsesNoSpringClass() {
    noClasses().that().resideInAnyPackage("io.coalesce.core..", "io.coalesce.local..", "io.coalesce.bloom..")
        .should().dependOnClassesThat().resideInAnyPackage("org.springframework..")
        .because("the engine (coalesce-core) is free of Spring; its build also bans Spring artifacts")
        .check(coalesce);
  }

  /** Public, reachable from outside (enclosing types public too), not synthetic, not in an internal package. */
  private static boolean isApi(JavaClass type) {
    if (type.getPackageName().contains(".internal") || type.isAnonymousClass() || type.isLocalClass()
        || type.getSimpleName().isEmpty() || type.getName().contains("$$")) {
      return false;
    }
    for (JavaClass t = type; t != null; t = t.getEnclosingClass().orElse(null)) {
      if (!t.getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }
}
