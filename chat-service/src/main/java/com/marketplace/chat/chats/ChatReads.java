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
 * the unread counts that follow from it and the chats' {@code last_seq} without counting
 * messages.
 */
@Service
public class ChatReads {

	private final ChatAccess access;

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	ChatReads(ChatAccess access, JdbcClient jdbc, ApplicationEventPublisher events) {
		this.access = access;
		this.jdbc = jdbc;
		this.events = events;
	}

	/**
	 * Moves the user's read position in the chat to {@code seq}, or leaves it where it is
	 * when it is further already; a {@code seq} past the chat's {@code last_seq} counts
	 * as {@code last_seq}. Tells every replica when it moved.
	 * @return the position as stored now, and whether this call moved it
	 * @throws ChatAccessDeniedException when the user is not a participant
	 */
	@Transactional
	public Position markRead(ChatUser user, ChatKey chat, long seq) {
		if (seq < 0) {
			throw ChatProblem.invalid("invalid_seq", "seq must be a non-negative integer.");
		}
		ChatState state = this.access.state(chat)
			.filter((found) -> found.participants().includes(user.id()))
			.orElseThrow(() -> new ChatAccessDeniedException(chat));
		long wanted = Math.min(seq, state.lastSeq());
		long before = readOf(chat, user.id());
		if (wanted <= before) {
			return new Position(before, false);
		}
		// One statement, so two devices reading at once can only move it forward.
		this.jdbc
			.sql("INSERT INTO chat_reads (chat_kind, chat_id, user_id, last_read_seq) VALUES (:kind, :id, :user, :seq) "
					+ "ON DUPLICATE KEY UPDATE last_read_seq = GREATEST(last_read_seq, :seq)")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("user", user.id())
			.param("seq", wanted)
			.update();
		// A locking read: the row as committed by whichever device wrote it last, not as
		// this transaction's snapshot saw it before (REPEATABLE READ would show no row at
		// all to a device whose upsert changed nothing).
		long now = this.jdbc
			.sql("SELECT last_read_seq FROM chat_reads WHERE chat_kind = :kind AND chat_id = :id AND user_id = :user "
					+ "FOR UPDATE")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("user", user.id())
			.query(Long.class)
			.single();
		this.events.publishEvent(new ReadMoved(chat, user.id(), now));
		return new Position(now, true);
	}

	/** A read position as stored, and whether the call that answered it moved it. */
	public record Position(long seq, boolean moved) {
	}

	private long readOf(ChatKey chat, long userId) {
		return this.jdbc
			.sql("SELECT last_read_seq FROM chat_reads WHERE chat_kind = :kind AND chat_id = :id AND user_id = :user")
			.param("kind", chat.kind().key())
			.param("id", chat.id())
			.param("user", userId)
			.query(Long.class)
			.optional()
			.orElse(0L);
	}

	/**
	 * Every participant's read position in the chats of one kind, in one query: chat id
	 * to user id to seq.
	 */
	@Transactional(readOnly = true)
	public Map<Long, Map<Long, Long>> positions(ChatKind kind, Collection<Long> chatIds) {
		Map<Long, Map<Long, Long>> positions = new HashMap<>();
		if (chatIds.isEmpty()) {
			return positions;
		}
		this.jdbc
			.sql("SELECT chat_id, user_id, last_read_seq FROM chat_reads WHERE chat_kind = :kind AND chat_id IN (:ids)")
			.param("kind", kind.key())
			.param("ids", chatIds)
			.query((ResultSet rs) -> {
				positions.computeIfAbsent(rs.getLong("chat_id"), (id) -> new HashMap<>())
					.put(rs.getLong("user_id"), rs.getLong("last_read_seq"));
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
				.sql("SELECT COALESCE(SUM(c.last_seq - COALESCE(r.last_read_seq, 0)), 0) FROM " + kind.table() + " c "
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
