package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.marketplace.chat.chats.ChatKey;

import org.springframework.stereotype.Component;

/**
 * Sends signals to a chat's connections on every replica. Typing is throttled where it
 * arrives: at most one relayed per user per chat every {@link #TYPING_INTERVAL} from this
 * replica (a user typing on two devices connected to two replicas may be relayed once
 * from each).
 */
@Component
public class Signals {

	public static final Duration TYPING_INTERVAL = Duration.ofSeconds(2);

	private final Fanout fanout;

	private final Cache<TypingKey, Boolean> recentlyTyping = Caffeine.newBuilder()
		.expireAfterWrite(TYPING_INTERVAL)
		.maximumSize(1_000_000)
		.build();

	Signals(Fanout fanout) {
		this.fanout = fanout;
	}

	/**
	 * @return whether it was relayed; {@code false} when the user's last one is too
	 * recent
	 */
	public boolean typing(ChatKey chat, long userId) {
		if (this.recentlyTyping.asMap().putIfAbsent(new TypingKey(chat, userId), Boolean.TRUE) != null) {
			return false;
		}
		this.fanout
			.publishToCluster(List.of(new Notice.Addressed(chat, new Notice.Signalled(new Signal.Typing(userId)))));
		return true;
	}

	void read(ChatKey chat, long userId, long seq) {
		this.fanout
			.publishToCluster(List.of(new Notice.Addressed(chat, new Notice.Signalled(new Signal.Read(userId, seq)))));
	}

	private record TypingKey(ChatKey chat, long userId) {
	}

}
