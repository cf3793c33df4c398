package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatKey;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reading stored messages back: history pages, resume replays and gap fills. Every query
 * is an index range of {@code (chat_kind, chat_id, seq)} or
 * {@code (chat_kind, chat_id, id)}. Replays and gap fills carry the whole stream (edits
 * and deletes too); history pages the messages alone.
 */
@Service
@Transactional(readOnly = true)
public class MessageHistory {

	private static final String FROM_CHAT = "SELECT " + MessageRows.COLUMNS
			+ " FROM chat_messages WHERE chat_kind = :kind AND chat_id = :chat";

	private final JdbcClient jdbc;

	private final ChatAccess chats;

	MessageHistory(JdbcClient jdbc, ChatAccess chats) {
		this.jdbc = jdbc;
		this.chats = chats;
	}

	/**
	 * A page of history in ascending id order: messages only, each as it is now (edited
	 * text, or emptied and marked deleted), not the edit and delete events. With
	 * {@code afterId} the page starts just after it; otherwise it ends just before
	 * {@code beforeId} (or at the newest message). Each is an index range of
	 * {@code (chat_kind, chat_id, id)}, read until {@code limit} messages are found.
	 */
	public List<ChatMessage> page(ChatKey chat, Long beforeId, Long afterId, int limit) {
		if (afterId != null && beforeId != null) {
			return query(chat, " AND id > :after AND id < :before ORDER BY id LIMIT :limit", afterId, beforeId, limit);
		}
		if (afterId != null) {
			return query(chat, " AND id > :after ORDER BY id LIMIT :limit", afterId, null, limit);
		}
		if (beforeId != null) {
			return reversed(query(chat, " AND id < :before ORDER BY id DESC LIMIT :limit", null, beforeId, limit));
		}
		return reversed(query(chat, " ORDER BY id DESC LIMIT :limit", null, null, limit));
	}

	/**
	 * Where a reconnecting client's replay starts: the {@code seq} after which it gets
	 * the newest {@code cap} messages with id greater than {@code afterId}. Older ones
	 * are left to the REST history.
	 */
	public long replayStart(ChatKey chat, long afterId, int cap) {
		OptionalLong afterSeq = seqOf(chat, afterId);
		long last = this.chats.lastSeq(chat);
		if (afterSeq.isPresent()) {
			return Math.max(afterSeq.getAsLong(), last - cap);
		}
		// An id from elsewhere: ids grow with seq within the chat, so start after the
		// last message of this chat at or below it.
		Long below = this.jdbc
			.sql("SELECT MAX(seq) FROM chat_messages WHERE chat_kind = :kind AND chat_id = :chat AND id <= :id")
			.param("kind", chat.kind().key())
			.param("chat", chat.id())
			.param("id", afterId)
			.query(Long.class)
			.optional()
			.orElse(null);
		return Math.max((below != null) ? below : 0, last - cap);
	}

	/**
	 * The seq of a message of this chat; 0 for id 0 ("from the start"); empty for an id
	 * from elsewhere.
	 */
	private OptionalLong seqOf(ChatKey chat, long id) {
		if (id == 0) {
			return OptionalLong.of(0);
		}
		return this.jdbc.sql("SELECT seq FROM chat_messages WHERE id = :id AND chat_kind = :kind AND chat_id = :chat")
			.param("id", id)
			.param("kind", chat.kind().key())
			.param("chat", chat.id())
			.query(Long.class)
			.optional()
			.map(OptionalLong::of)
			.orElse(OptionalLong.empty());
	}

	/**
	 * The chat's stream with {@code fromSeqExclusive < seq <= toSeqInclusive}, in seq
	 * order: messages, edits and deletes, as a connection receives them.
	 */
	public List<ChatMessage> bySeq(ChatKey chat, long fromSeqExclusive, long toSeqInclusive) {
		if (toSeqInclusive <= fromSeqExclusive) {
			return List.of();
		}
		return this.jdbc.sql(FROM_CHAT + " AND seq > :from AND seq <= :to ORDER BY seq")
			.param("kind", chat.kind().key())
			.param("chat", chat.id())
			.param("from", fromSeqExclusive)
			.param("to", toSeqInclusive)
			.query(MessageRows::message)
			.list();
	}

	private List<ChatMessage> query(ChatKey chat, String condition, Long afterId, Long beforeId, int limit) {
		JdbcClient.StatementSpec statement = this.jdbc.sql(FROM_CHAT + " AND kind = 'message'" + condition)
			.param("kind", chat.kind().key())
			.param("chat", chat.id())
			.param("limit", limit);
		if (afterId != null) {
			statement = statement.param("after", afterId);
		}
		if (beforeId != null) {
			statement = statement.param("before", beforeId);
		}
		return statement.query(MessageRows::message).list();
	}

	private static List<ChatMessage> reversed(List<ChatMessage> rows) {
		List<ChatMessage> result = new ArrayList<>(rows);
		Collections.reverse(result);
		return result;
	}

}
