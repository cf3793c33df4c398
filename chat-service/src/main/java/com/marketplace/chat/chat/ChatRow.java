package com.marketplace.chat.chat;

import com.marketplace.chat.security.ChatUser;

/** What the read check needs of a chat row (the others read participants with JDBC). */
interface ChatRow {

	boolean mayBeReadBy(ChatUser user);

}
