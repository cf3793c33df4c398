package com.marketplace.chat.chats;

import java.util.Optional;

/**
 * The two kinds of chat. They differ in who may take part, not in how messages flow, so
 * one pipeline serves both and this value tells them apart in URLs, rows and channels.
 */
public enum ChatKind {

	/** A client and a master (service provider). */
	SERVICE("service"),

	/** A client and the support agent assigned to the chat. */
	SUPPORT("support");

	/**
	 * Read for every publication and path, so not copied by {@code values()} each time.
	 */
	private static final ChatKind[] KINDS = values();

	private final String key;

	ChatKind(String key) {
		this.key = key;
	}

	/**
	 * The lower-case name used in URLs ({@code /ws/service-chats}), rows and Redis
	 * channels.
	 */
	public String key() {
		return this.key;
	}

	/** The table of this kind's chats. */
	public String table() {
		return switch (this) {
			case SERVICE -> "service_chats";
			case SUPPORT -> "support_chats";
		};
	}

	/**
	 * The column of the participant who is not the client: the master, or the assigned
	 * agent.
	 */
	public String otherParticipantColumn() {
		return switch (this) {
			case SERVICE -> "master_id";
			case SUPPORT -> "support_id";
		};
	}

	public static Optional<ChatKind> fromKey(String key) {
		for (ChatKind kind : KINDS) {
			if (kind.key.equals(key)) {
				return Optional.of(kind);
			}
		}
		return Optional.empty();
	}

}
