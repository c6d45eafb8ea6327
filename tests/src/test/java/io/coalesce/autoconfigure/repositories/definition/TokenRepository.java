package io.coalesce.autoconfigure.repositories.definition;

import io.coalesce.redisrepositories.Session;
import java.util.Optional;
import org.springframework.data.repository.RepositoryDefinition;

/** A Redis repository declared with {@code @RepositoryDefinition} rather than by extending an interface. */
@RepositoryDefinition(domainClass = Session.class, idClass = String.class)
public interface TokenRepository {

  Optional<Session> findById(String id);
}
