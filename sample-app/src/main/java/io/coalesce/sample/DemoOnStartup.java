package io.coalesce.sample;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/** {@code --demo[=N]} on the command line: run the stampede demo once, print the table, exit. */
@Component
public class DemoOnStartup implements ApplicationRunner {

  private final StampedeDemo demo;
  private final ConfigurableApplicationContext context;

  public DemoOnStartup(StampedeDemo demo, ConfigurableApplicationContext context) {
    this.demo = demo;
    this.context = context;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!args.containsOption("demo")) {
      return;
    }
    var values = args.getOptionValues("demo");
    int requests = values.isEmpty() || values.get(0).isBlank() ? 200 : Integer.parseInt(values.get(0));
    System.out.println();
    System.out.print(StampedeDemo.table(demo.run(requests, 42)));
    System.exit(SpringApplication.exit(context, () -> 0));
  }
}
