package com.marketplace.chat.fanout;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.marketplace.chat.chats.ChatKey;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.core.RedisCallback;
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

	private final StringRedisTemplate redis;

	private final String replica = UUID.randomUUID().toString();

	RedisPresenceStore(StringRedisTemplate redis) {
		this.redis = redis;
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
	 * One pipeline for every chat of this replica: four commands each, one round trip.
	 */
	@Override
	public Map<ChatKey, Set<Long>> refresh(Map<ChatKey, Set<Long>> mine, long expiresAtMillis, long nowMillis) {
		List<ChatKey> chats = List.copyOf(mine.keySet());
		List<Object> results = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
			for (ChatKey chat : chats) {
				byte[] key = key(chat).getBytes(StandardCharsets.UTF_8);
				for (long user : mine.get(chat)) {
					connection.zSetCommands()
						.zAdd(key, expiresAtMillis, (user + ":" + this.replica).getBytes(StandardCharsets.UTF_8));
				}
				connection.keyCommands().pExpireAt(key, expiresAtMillis + 60_000);
				connection.zSetCommands().zRemRangeByScore(key, Double.NEGATIVE_INFINITY, nowMillis);
				connection.zSetCommands().zRangeByScore(key, nowMillis, Double.POSITIVE_INFINITY);
			}
			return null;
		});
		Map<ChatKey, Set<Long>> online = new HashMap<>();
		int at = 0;
		for (ChatKey chat : chats) {
			at += mine.get(chat).size() + 2;
			Set<Long> users = new HashSet<>();
			if (results.get(at) instanceof Collection<?> members) {
				members.forEach((member) -> users.add(userOf(String.valueOf(member))));
			}
			online.put(chat, users);
			at++;
		}
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
