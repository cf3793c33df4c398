package com.marketplace.chat.message;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;

/**
 * How a message is a row of {@code chat_messages}, for every statement that reads or
 * writes one. {@code client_message_id} is a {@code VARBINARY} of its UTF-8 bytes, so two
 * ids compare equal only when every byte does, on MySQL, MariaDB and H2 alike (a
 * {@code utf8mb4_bin} column would call {@code "abc "} a duplicate of {@code "abc"}). The
 * {@code origin} column of earlier versions is no longer written or read: which
 * connection sent a message is known to the WebSocket layer alone.
 */
final class MessageRows {

	static final String COLUMNS = "id, chat_kind, chat_id, seq, sender_id, content, client_message_id, created_at, "
			+ "kind, target_id, edited_at, deleted";

	private MessageRows() {
	}

	static ChatMessage message(ResultSet rs, int row) throws SQLException {
		return new ChatMessage(rs.getLong("id"), new ChatKey(kind(rs.getString("chat_kind")), rs.getLong("chat_id")),
				rs.getLong("seq"), rs.getLong("sender_id"), rs.getString("content"),
				clientMessageId(rs.getBytes("client_message_id")), instant(rs, "created_at"),
				ChatMessage.Kind.fromKey(rs.getString("kind")), rs.getObject("target_id", Long.class),
				instant(rs, "edited_at"), rs.getBoolean("deleted"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		LocalDateTime time = rs.getObject(column, LocalDateTime.class);
		return (time != null) ? time.toInstant(ZoneOffset.UTC) : null;
	}

	static ChatKind kind(String key) {
		return ChatKind.fromKey(key).orElseThrow(() -> new IllegalStateException("unknown chat_kind " + key));
	}

	static byte[] clientMessageId(String id) {
		return (id != null) ? id.getBytes(StandardCharsets.UTF_8) : null;
	}

	static String clientMessageId(byte[] bytes) {
		return (bytes != null) ? new String(bytes, StandardCharsets.UTF_8) : null;
	}

}
