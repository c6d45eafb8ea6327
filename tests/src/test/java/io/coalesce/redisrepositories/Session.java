package io.coalesce.redisrepositories;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;

@RedisHash("sessions")
public record Session(@Id String id, String user) {}
