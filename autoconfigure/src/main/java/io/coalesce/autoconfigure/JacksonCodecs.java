package io.coalesce.autoconfigure;

import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.JacksonEntryCodec;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;

/**
 * Makes the Jackson codec from the application's mapper. Each Jackson has its own nested class, loaded
 * only when called, and the caller calls it only when that Jackson is on the class path: Boot 4
 * applications usually have no Jackson 2, Boot 3.5 applications no Jackson 3 (the JVM's verifier
 * would load every type a class's code mentions).
 */
final class JacksonCodecs {

  private JacksonCodecs() {}

  /** Jackson 3 ({@code tools.jackson}). */
  static final class Jackson3 {

    private Jackson3() {}

    /** With the application's {@code JsonMapper} bean, or {@code null} when it has none. */
    static EntryCodec fromBean(BeanFactory beans, List<String> trusted) {
      tools.jackson.databind.json.JsonMapper mapper =
          beans.getBeanProvider(tools.jackson.databind.json.JsonMapper.class).getIfUnique();
      return mapper == null ? null : new JacksonEntryCodec(mapper, trusted);
    }

    static EntryCodec withDefaults(List<String> trusted) {
      return new JacksonEntryCodec(tools.jackson.databind.json.JsonMapper.builder().findAndAddModules().build(), trusted);
    }
  }

  /** Jackson 2 ({@code com.fasterxml.jackson}). */
  static final class Jackson2 {

    private Jackson2() {}

    /** With the application's {@code ObjectMapper} bean, or {@code null} when it has none. */
    static EntryCodec fromBean(BeanFactory beans, List<String> trusted) {
      com.fasterxml.jackson.databind.ObjectMapper mapper =
          beans.getBeanProvider(com.fasterxml.jackson.databind.ObjectMapper.class).getIfUnique();
      return mapper == null ? null : new Jackson2EntryCodec(mapper, trusted);
    }

    static EntryCodec withDefaults(List<String> trusted) {
      return new Jackson2EntryCodec(new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules(), trusted);
    }
  }
}
