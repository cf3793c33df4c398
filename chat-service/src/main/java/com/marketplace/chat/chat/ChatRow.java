package com.marketplace.chat.chat;

import java.time.Instant;

import com.marketplace.chat.security.ChatUser;

/** What the message store needs of a chat row it holds locked. */
interface ChatRow {

	long lastSeq();

	boolean hasParticipant(long userId);

	boolean mayBeReadBy(ChatUser user);

	/** Takes the next position in the chat; the caller holds the row lock. */
	long nextSeq(Instant now);

}
