package com.marketplace.chat.chat;

/**
 * A chat row held locked by the current transaction for sending: who may send to it and
 * the last {@code seq} taken so far. The lock lasts until the transaction ends.
 * @param otherId the master of a service chat, the assigned agent of a support chat
 * ({@code null} while a support chat waits in the queue)
 */
public record LockedChat(ChatKey key, long lastSeq, long clientId, Long otherId) {

	public boolean hasParticipant(long userId) {
		return this.clientId == userId || (this.otherId != null && this.otherId == userId);
	}

}
