package com.marketplace.chat.chats;

/**
 * A chat row held locked by the current transaction for sending: who takes part in it and
 * the last {@code seq} taken so far. The lock lasts until the transaction ends, so the
 * participants are those of every message the transaction stores.
 */
public record LockedChat(ChatKey key, long lastSeq, Participants participants) {

	public boolean hasParticipant(long userId) {
		return this.participants.includes(userId);
	}

}
