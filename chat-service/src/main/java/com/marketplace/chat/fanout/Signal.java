package com.marketplace.chat.fanout;

/**
 * What passes between a chat's participants without being a message: carried to every
 * replica with the chat's messages, but never stored, ordered, gap-filled or replayed. A
 * lost one is simply not seen.
 */
public sealed interface Signal permits Signal.Typing, Signal.Read, Signal.Presence {

	/** The user is typing in the chat. */
	record Typing(long userId) implements Signal {
	}

	/**
	 * The user came online in the chat (a first connection anywhere) or went offline (the
	 * last one left).
	 */
	record Presence(long userId, boolean online) implements Signal {
	}

	/** The user has read the chat up to {@code seq} (as stored). */
	record Read(long userId, long seq) implements Signal {
	}

}
