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
 * {@code (chat_kind, chat_id, id)}.
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
	 * A page of history in ascending id order. With {@code afterId} the page starts just
	 * after it; otherwise it ends just before {@code beforeId} (or at the newest
	 * message).
	 * <p>
	 * Within a chat {@code seq} runs 1..n without holes in id order, so a page whose
	 * anchor is a message of the chat is a closed {@code seq} range: an index range of
	 * exactly {@code limit} rows however long the chat is. An anchor from elsewhere falls
	 * back to comparing ids.
	 */
	public List<ChatMessage> page(ChatKey chat, Long beforeId, Long afterId, int limit) {
		OptionalLong afterSeq = (afterId == null) ? OptionalLong.empty() : seqOf(chat, afterId);
		OptionalLong beforeSeq = (beforeId == null) ? OptionalLong.empty() : seqOf(chat, beforeId);
		if ((afterId != null && afterSeq.isEmpty()) || (beforeId != null && beforeSeq.isEmpty())) {
			return pageById(chat, beforeId, afterId, limit);
		}
		if (afterSeq.isPresent()) {
			long to = afterSeq.getAsLong() + limit;
			if (beforeSeq.isPresent()) {
				to = Math.min(to, beforeSeq.getAsLong() - 1);
			}
			return bySeq(chat, afterSeq.getAsLong(), to);
		}
		long to = beforeSeq.isPresent() ? beforeSeq.getAsLong() - 1 : this.chats.lastSeq(chat);
		return bySeq(chat, Math.max(0, to - limit), to);
	}

	private List<ChatMessage> pageById(ChatKey chat, Long beforeId, Long afterId, int limit) {
		if (afterId != null && beforeId != null) {
			return query(chat, " AND id > :after AND id < :before ORDER BY id LIMIT :limit", afterId, beforeId, limit);
		}
		if (afterId != null) {
			return query(chat, " AND id > :after ORDER BY id LIMIT :limit", afterId, null, limit);
		}
		return reversed(query(chat, " AND id < :before ORDER BY id DESC LIMIT :limit", null, beforeId, limit));
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

	/** Messages with {@code fromSeqExclusive < seq <= toSeqInclusive}, in seq order. */
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
		JdbcClient.StatementSpec statement = this.jdbc.sql(FROM_CHAT + condition)
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
