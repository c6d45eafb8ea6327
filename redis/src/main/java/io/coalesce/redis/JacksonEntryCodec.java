package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;

/**
 * The default codec on Jackson 3 ({@code tools.jackson}, Spring Boot 4's JSON): the
 * {@link Envelope} around the value as JSON, read against the declared type. Writes exactly what
 * {@link Jackson2EntryCodec} writes, so both read each other's entries.
 *
 * <p>Safe against hostile data: polymorphic default typing is switched off in the copy of the mapper
 * it is given, so no type hint in stored JSON can choose a class, and unknown properties (such as
 * {@code "@class"}) make the value undecodable, a miss. Thread-safe.
 */
public final class JacksonEntryCodec implements EntryCodec {

  private final ObjectMapper mapper;
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();

  /**
   * @param mapper the application's mapper (its modules, naming strategy and date handling apply);
   *     it is rebuilt without default typing, not changed
   */
  public JacksonEntryCodec(ObjectMapper mapper) {
    this.mapper = mapper.rebuild().deactivateDefaultTyping().build();
  }

  @Override
  public byte[] encode(CacheEntry entry, Type type) {
    if (entry.isNull()) {
      return Envelope.wrap(entry, null);
    }
    try {
      return Envelope.wrap(entry, writer(type).writeValueAsBytes(entry.value()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot write a value of " + type.getTypeName()
          + " as JSON; make it serialisable by Jackson or configure another EntryCodec", e);
    }
  }

  @Override
  public CacheEntry decode(byte[] bytes, Type type) {
    return Envelope.unwrap(bytes, type.getTypeName(), (data, offset, length) -> reader(type).readValue(data, offset, length));
  }

  private ObjectReader reader(Type type) {
    return readers.computeIfAbsent(type, t ->
        mapper.readerFor(mapper.constructType(t)).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
  }

  private ObjectWriter writer(Type type) {
    return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.constructType(t)));
  }
}
