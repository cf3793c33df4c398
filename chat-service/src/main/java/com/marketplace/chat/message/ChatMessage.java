package com.marketplace.chat.message;

import java.time.Instant;

import com.marketplace.chat.chats.ChatKey;

/**
 * A message as committed to MySQL: {@code seq} is its position in its chat (1, 2, 3, ...
 * with no holes) and, within a chat, {@code id} grows with {@code seq}.
 */
public record ChatMessage(long id, ChatKey chat, long seq, long senderId, String content, String clientMessageId,
		Instant createdAt) {
}
