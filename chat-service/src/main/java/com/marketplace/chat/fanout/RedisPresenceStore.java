package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.marketplace.chat.chats.ChatKey;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/**
 * Presence in Redis: one sorted set per chat ({@code chat-presence:{kind}:{id}}) whose
 * members are {@code user:replica} and whose scores are the entries' expiry times. The
 * set itself expires a while after its last write, so chats nobody visits leave nothing.
 */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class RedisPresenceStore implements PresenceStore {

	private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(5);

	private final StringRedisTemplate redis;

	private final RedisFanout bus;

	private final String replica = UUID.randomUUID().toString();

	RedisPresenceStore(StringRedisTemplate redis, RedisFanout bus) {
		this.redis = redis;
		this.bus = bus;
	}

	static String key(ChatKey chat) {
		return "chat-presence:" + chat.kind().key() + ":" + chat.id();
	}

	@Override
	public void put(ChatKey chat, Collection<Long> users, long expiresAtMillis) {
		if (users.isEmpty()) {
			return;
		}
		Set<TypedTuple<String>> entries = users.stream()
			.map((user) -> TypedTuple.of(user + ":" + this.replica, (double) expiresAtMillis))
			.collect(Collectors.toSet());
		String key = key(chat);
		this.redis.opsForZSet().add(key, entries);
		this.redis.expireAt(key, java.time.Instant.ofEpochMilli(expiresAtMillis).plusSeconds(60));
	}

	@Override
	public void remove(ChatKey chat, long user) {
		this.redis.opsForZSet().remove(key(chat), user + ":" + this.replica);
	}

	/**
	 * Four commands for every chat of this replica, all sent before any answer is awaited
	 * (on a cluster each goes to the shard that owns the chat's key): about one round
	 * trip per shard.
	 */
	@Override
	public Map<ChatKey, Set<Long>> refresh(Map<ChatKey, Set<Long>> mine, long expiresAtMillis, long nowMillis) {
		RedisClusterAsyncCommands<String, String> commands = this.bus.commands();
		Map<ChatKey, RedisFuture<List<String>>> members = new HashMap<>();
		List<RedisFuture<?>> all = new ArrayList<>();
		for (Map.Entry<ChatKey, Set<Long>> chat : mine.entrySet()) {
			String key = key(chat.getKey());
			Object[] entries = chat.getValue()
				.stream()
				.flatMap((user) -> Stream.of((double) expiresAtMillis, user + ":" + this.replica))
				.toArray();
			all.add(commands.zadd(key, entries));
			all.add(commands.pexpireat(key, expiresAtMillis + 60_000));
			all.add(commands.zremrangebyscore(key, Range.create(Double.NEGATIVE_INFINITY, (double) nowMillis)));
			RedisFuture<List<String>> online = commands.zrangebyscore(key,
					Range.create((double) nowMillis, Double.POSITIVE_INFINITY));
			all.add(online);
			members.put(chat.getKey(), online);
		}
		if (!LettuceFutures.awaitAll(REFRESH_TIMEOUT, all.toArray(RedisFuture[]::new))) {
			throw new IllegalStateException("Redis did not answer the presence refresh within " + REFRESH_TIMEOUT);
		}
		Map<ChatKey, Set<Long>> online = new HashMap<>();
		members.forEach((chat, found) -> {
			Set<Long> users = new HashSet<>();
			try {
				found.get().forEach((member) -> users.add(userOf(member)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("Reading presence of " + chat + " failed", ex.getCause());
			}
			online.put(chat, users);
		});
		return online;
	}

	private static long userOf(String member) {
		return Long.parseLong(member.substring(0, member.indexOf(':')));
	}

	@Override
	public Set<Long> online(ChatKey chat, long nowMillis) {
		String key = key(chat);
		this.redis.opsForZSet().removeRangeByScore(key, Double.NEGATIVE_INFINITY, nowMillis);
		Set<String> members = this.redis.opsForZSet().rangeByScore(key, nowMillis, Double.POSITIVE_INFINITY);
		Set<Long> users = new HashSet<>();
		if (members != null) {
			members.forEach((member) -> users.add(userOf(member)));
		}
		return users;
	}

}
