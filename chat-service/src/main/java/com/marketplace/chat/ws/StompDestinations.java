package com.marketplace.chat.ws;

import java.util.Optional;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;

/**
 * The STOMP destinations of a chat: {@code /topic/service-chats.{id}} to subscribe,
 * {@code /app/service-chats.{id}} to send (and the same for support chats).
 */
final class StompDestinations {

	static final String TOPIC = "/topic/";

	static final String APP = "/app/";

	private StompDestinations() {
	}

	/** The chat a destination under {@code prefix} names, if it names one. */
	static Optional<ChatKey> chat(String prefix, String destination) {
		if (!destination.startsWith(prefix)) {
			return Optional.empty();
		}
		String rest = destination.substring(prefix.length());
		int dot = rest.indexOf('.');
		if (dot < 0 || !rest.startsWith("-chats.", dot - "-chats".length()) || dot < "-chats".length()) {
			return Optional.empty();
		}
		Optional<ChatKind> kind = ChatKind.fromKey(rest.substring(0, dot - "-chats".length()));
		String id = rest.substring(dot + 1);
		if (kind.isEmpty() || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
			return Optional.empty();
		}
		long value = Long.parseLong(id);
		return (value > 0) ? Optional.of(new ChatKey(kind.get(), value)) : Optional.empty();
	}

}
