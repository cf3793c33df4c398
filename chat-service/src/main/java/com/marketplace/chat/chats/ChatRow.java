package com.marketplace.chat.chats;

import com.marketplace.chat.security.ChatUser;

/** What the read check needs of a chat row (the others read participants with JDBC). */
interface ChatRow {

	boolean mayBeReadBy(ChatUser user);

}
