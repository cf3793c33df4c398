package com.marketplace.chat.fanout;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.marketplace.chat.chats.ChatKey;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Presence in one process (standalone mode, {@code chat.fanout.backend=in-process}). */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "in-process", matchIfMissing = true)
class LocalPresenceStore implements PresenceStore {

	private final Map<ChatKey, Map<Long, Long>> expiries = new ConcurrentHashMap<>();

	@Override
	public void put(ChatKey chat, Collection<Long> users, long expiresAtMillis) {
		Map<Long, Long> entries = this.expiries.computeIfAbsent(chat, (key) -> new ConcurrentHashMap<>());
		users.forEach((user) -> entries.put(user, expiresAtMillis));
	}

	@Override
	public void remove(ChatKey chat, long user) {
		this.expiries.computeIfPresent(chat, (key, entries) -> {
			entries.remove(user);
			return entries.isEmpty() ? null : entries;
		});
	}

	@Override
	public Set<Long> online(ChatKey chat, long nowMillis) {
		return this.expiries.getOrDefault(chat, Map.of())
			.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() > nowMillis)
			.map(Map.Entry::getKey)
			.collect(Collectors.toSet());
	}

}
