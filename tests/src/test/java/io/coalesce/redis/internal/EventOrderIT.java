package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.core.RemoteTier.Invalidations;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Invalidations are applied in the order Redis delivers them, one after the other: an instance that
 * has applied a message has applied every message sent before it (what "the invalidations have
 * settled" can then be checked by), and no thread is started per message.
 */
class EventOrderIT {

  @Test
  void messagesAreAppliedInTheOrderTheyWereSent() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      LettuceConnectionFactory connections =
          new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
      connections.afterPropertiesSet();
      connections.start();
      RedisTiers tiers = new RedisTiers(connections, "order", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC());
      List<Long> applied = new CopyOnWriteArrayList<>();
      tiers.events().register("products", new Invalidations() {
        @Override
        public void written(String key, long version) {
          applied.add(version);
        }

        @Override
        public void cleared(long version) {}

        @Override
        public void resubscribed() {}
      });
      RedisEventsSubscription subscription = new RedisEventsSubscription(connections, tiers.events(), "test");
      subscription.start();
      try {
        Await.until(() -> redis.text("PUBSUB", "NUMSUB", "order:coalesce:events").endsWith("1"), Duration.ofSeconds(10));
        int messages = 3_000;
        for (int version = 1; version <= messages; version++) {
          redis.command("PUBLISH", "order:coalesce:events", "E|elsewhere|products|" + version + "|k");
        }
        Await.until(() -> applied.size() == messages, Duration.ofSeconds(30));
        for (int i = 0; i < messages; i++) {
          assertThat(applied.get(i)).as("message %d", i + 1).isEqualTo(i + 1L);
        }
      } finally {
        subscription.stop();
        tiers.close();
        connections.destroy();
      }
    }
  }
}
