package com.marketplace.chat.chats;

import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.ChatUser;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Read receipts: how far each participant has read each chat ({@code chat_reads}), and
 * the unread counts that follow from it and the chats' {@code message_count} without
 * counting messages: a chat's messages not deleted less those the reader has read.
 */
@Service
public class ChatReads {

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	ChatReads(JdbcClient jdbc, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.events = events;
	}

	/**
	 * Moves the user's read position in the chat to {@code seq}, or leaves it where it is
	 * when it is further already; a {@code seq} past the chat's {@code last_seq} counts
	 * as {@code last_seq}. Tells every replica when it moved.
	 * <p>
	 * The chat's row is locked first, as the message writers lock it, so that the
	 * messages counted as read cannot change under the count: a delete committed
	 * meanwhile would otherwise be counted twice or not at all. The count covers only the
	 * messages after the new position ({@code message_count} less those), which is next
	 * to nothing for a reader who keeps up.
	 * @return the position as stored now, and whether this call moved it
	 * @throws ChatAccessDeniedException when the user is not a participant
	 */
	@Transactional
	public Position markRead(ChatUser user, ChatKey chat, long seq) {
		if (seq < 0) {
			throw ChatProblem.invalid("invalid_seq", "seq must be a non-negative integer.");
		}
		Counters counters = this.jdbc
			.sql("SELECT client_id, " + chat.kind().otherParticipantColumn() + " AS other_id, last_seq, message_count "
					+ "FROM " + chat.kind().table() + " WHERE id = :id FOR UPDATE")
			.param("id", chat.id())
			.query((rs, row) -> new Counters(
					new Participants(rs.getLong("client_id"), rs.getObject("other_id", Long.class)),
					rs.getLong("last_seq"), rs.getLong("message_count")))
			.optional()
			.filter((found) -> found.participants().includes(user.id()))
			.orElseThrow(() -> new ChatAccessDeniedException(chat));
		long wanted = Math.min(seq, counters.lastSeq());
		long before = readOf(chat, user.id());
		if (wanted <= before) {
			return new Position(before, false);
		}
		long unread = this.jdbc
			.sql("SELECT COUNT(*) FROM chat_messages WHERE chat_kind = :kind AND chat_id = :id AND seq > :seq "
					+ "AND seq <= :last AND kind = 'message' AND deleted = FALSE")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("seq", wanted)
			.param("last", counters.lastSeq())
			.query(Long.class)
			.single();
		this.jdbc
			.sql("INSERT INTO chat_reads (chat_kind, chat_id, user_id, last_read_seq, read_count) "
					+ "VALUES (:kind, :id, :user, :seq, :count) "
					+ "ON DUPLICATE KEY UPDATE last_read_seq = :seq, read_count = :count")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("user", user.id())
			.param("seq", wanted)
			.param("count", counters.messageCount() - unread)
			.update();
		this.events.publishEvent(new ReadMoved(chat, user.id(), wanted));
		return new Position(wanted, true);
	}

	/** A read position as stored, and whether the call that answered it moved it. */
	public record Position(long seq, boolean moved) {
	}

	/**
	 * A participant's read position: its {@code seq}, and how many of the chat's messages
	 * not deleted are at or before it.
	 */
	public record Read(long seq, long count) {
	}

	private record Counters(Participants participants, long lastSeq, long messageCount) {
	}

	/**
	 * Read under the chat's lock, so the latest committed position whatever the snapshot.
	 */
	private long readOf(ChatKey chat, long userId) {
		return this.jdbc
			.sql("SELECT last_read_seq FROM chat_reads WHERE chat_kind = :kind AND chat_id = :id AND user_id = :user "
					+ "FOR UPDATE")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("user", userId)
			.query(Long.class)
			.optional()
			.orElse(0L);
	}

	/**
	 * Every participant's read position in the chats of one kind, in one query: chat id
	 * to user id to position.
	 */
	@Transactional(readOnly = true)
	public Map<Long, Map<Long, Read>> positions(ChatKind kind, Collection<Long> chatIds) {
		Map<Long, Map<Long, Read>> positions = new HashMap<>();
		if (chatIds.isEmpty()) {
			return positions;
		}
		this.jdbc.sql(
				"SELECT chat_id, user_id, last_read_seq, read_count FROM chat_reads WHERE chat_kind = :kind AND chat_id IN (:ids)")
			.param("kind", kind.key())
			.param("ids", chatIds)
			.query((ResultSet rs) -> {
				positions.computeIfAbsent(rs.getLong("chat_id"), (id) -> new HashMap<>())
					.put(rs.getLong("user_id"), new Read(rs.getLong("last_read_seq"), rs.getLong("read_count")));
			});
		return positions;
	}

	/**
	 * The user's unread messages over every chat they take part in, in one query per
	 * kind.
	 */
	@Transactional(readOnly = true)
	public long unreadTotal(long userId) {
		long total = 0;
		for (ChatKind kind : ChatKind.values()) {
			Long unread = this.jdbc
				.sql("SELECT COALESCE(SUM(c.message_count - COALESCE(r.read_count, 0)), 0) FROM " + kind.table() + " c "
						+ "LEFT JOIN chat_reads r ON r.chat_kind = :kind AND r.chat_id = c.id AND r.user_id = :user "
						+ "WHERE c.client_id = :user OR c." + kind.otherParticipantColumn() + " = :user")
				.param("kind", kind.key())
				.param("user", userId)
				.query(Long.class)
				.single();
			total += (unread != null) ? unread : 0;
		}
		return total;
	}

}
