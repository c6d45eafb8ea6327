package io.coalesce.redis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import io.coalesce.core.CacheEntry;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The codec for applications on Jackson 2 ({@code com.fasterxml.jackson}, Spring Boot 3.5's JSON):
 * the {@link Envelope} around the value as JSON, read against the declared type. Writes exactly
 * what {@link JacksonEntryCodec} (Jackson 3) writes, so both read each other's entries.
 *
 * <p>Safe against hostile data: polymorphic default typing is switched off in the mapper it is
 * given (a copy), unknown properties (such as {@code "@class"}) make the value undecodable, a miss,
 * and a class name in a property the application declared polymorphic by class is honoured only for
 * the trusted packages (none by default). Thread-safe.
 */
public final class Jackson2EntryCodec implements EntryCodec {

  private final ObjectMapper mapper;
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
  private final ReadBackCheck readBack;

  /**
   * @param mapper the application's mapper (its modules and date handling apply); it is copied, not
   *     changed
   */
  public Jackson2EntryCodec(ObjectMapper mapper) {
    this(mapper, List.of());
  }

  /**
   * @param mapper the application's mapper; it is copied, not changed
   * @param trustedPackages packages whose classes stored JSON may name where the application's types
   *     declare polymorphism by class name ({@code coalesce.redis.trusted-packages})
   */
  public Jackson2EntryCodec(ObjectMapper mapper, Collection<String> trustedPackages) {
    this.mapper = mapper.copy();
    this.mapper.deactivateDefaultTyping();
    TrustedTypes trusted = new TrustedTypes(trustedPackages);
    this.mapper.setPolymorphicTypeValidator(new Validator(trusted));
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
    public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
      return trusted.trusts(subClassName) ? Validity.ALLOWED : Validity.DENIED;
    }

    @Override
    public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
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
    } catch (IOException | RuntimeException e) {
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
    return readers.computeIfAbsent(type, t -> {
      JavaType javaType = mapper.getTypeFactory().constructType(t);
      return mapper.readerFor(javaType).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    });
  }

  private ObjectWriter writer(Type type) {
    return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.getTypeFactory().constructType(t)));
  }
}
