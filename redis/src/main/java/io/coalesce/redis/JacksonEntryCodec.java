package io.coalesce.redis;

import io.coalesce.core.CacheEntry;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * The default codec on Jackson 3 ({@code tools.jackson}, Spring Boot 4's JSON): the
 * {@link Envelope} around the value as JSON, read against the declared type. Writes exactly what
 * {@link Jackson2EntryCodec} writes, so both read each other's entries.
 *
 * <p>Safe against hostile data: polymorphic default typing is switched off in the copy of the mapper
 * it is given, unknown properties (such as {@code "@class"}) make the value undecodable, a miss, and
 * a class name in a property the application declared polymorphic by class is honoured only for the
 * trusted packages (none by default). Thread-safe.
 */
public final class JacksonEntryCodec implements EntryCodec {

  private final ObjectMapper mapper;
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
  private final ReadBackCheck readBack;

  /**
   * @param mapper the application's mapper (its modules, naming strategy and date handling apply);
   *     it is rebuilt without default typing, not changed
   */
  public JacksonEntryCodec(ObjectMapper mapper) {
    this(mapper, List.of());
  }

  /**
   * @param mapper the application's mapper; it is rebuilt, not changed
   * @param trustedPackages packages whose classes stored JSON may name where the application's types
   *     declare polymorphism by class name ({@code coalesce.redis.trusted-packages})
   */
  public JacksonEntryCodec(ObjectMapper mapper, Collection<String> trustedPackages) {
    TrustedTypes trusted = new TrustedTypes(trustedPackages);
    this.mapper = mapper.rebuild().deactivateDefaultTyping().polymorphicTypeValidator(new Validator(trusted)).build();
    this.readBack = new ReadBackCheck(trusted);
  }

  /** Lets stored data name only classes of the trusted packages. */
  private static final class Validator extends PolymorphicTypeValidator.Base {
    private static final long serialVersionUID = 1L;
    private final transient TrustedTypes trusted;

    Validator(TrustedTypes trusted) {
      this.trusted = trusted;
    }

    @Override
    public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
      return trusted.trusts(subClassName) ? Validity.ALLOWED : Validity.DENIED;
    }

    @Override
    public Validity validateSubType(DatabindContext context, JavaType baseType, JavaType subType) {
      return trusted.trusts(subType.getRawClass().getName()) ? Validity.ALLOWED : Validity.DENIED;
    }
  }

  @Override
  public byte[] encode(CacheEntry entry, Type type) {
    if (entry.isNull()) {
      return Envelope.wrap(entry, type, null);
    }
    byte[] bytes;
    try {
      bytes = Envelope.wrap(entry, type, writer(type).writeValueAsBytes(entry.value()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot write a value of " + type.getTypeName()
          + " as JSON; make it serialisable by Jackson or configure another EntryCodec", e);
    }
    return readBack.readable(entry.value(), type, bytes, this::decode);
  }

  @Override
  public CacheEntry decode(byte[] bytes, Type type) {
    return Envelope.unwrap(bytes, type, (data, offset, length) -> reader(type).readValue(data, offset, length));
  }

  private ObjectReader reader(Type type) {
    return readers.computeIfAbsent(type, t ->
        mapper.readerFor(mapper.constructType(t)).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
  }

  private ObjectWriter writer(Type type) {
    return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.constructType(t)));
  }
}
