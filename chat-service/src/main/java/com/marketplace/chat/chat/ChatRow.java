package com.marketplace.chat.chat;

import com.marketplace.chat.security.ChatUser;

/** What access checks need of a chat row. */
interface ChatRow {

	long lastSeq();

	boolean hasParticipant(long userId);

	boolean mayBeReadBy(ChatUser user);

}
