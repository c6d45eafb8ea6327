package io.coalesce.redisrepositories;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that uses Spring Data Redis repositories itself, next to Coalesce. */
@SpringBootApplication
public class RedisRepositoriesApp {}
