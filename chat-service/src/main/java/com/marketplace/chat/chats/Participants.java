package com.marketplace.chat.chats;

/**
 * Who takes part in a chat at one moment: its client and the other party, the master of a
 * service chat or the assigned agent of a support chat ({@code null} while a support chat
 * waits in the queue). Only participants hear a chat's messages.
 */
public record Participants(long clientId, Long otherId) {

	public boolean includes(long userId) {
		return this.clientId == userId || (this.otherId != null && this.otherId == userId);
	}

}
