package com.marketplace.chat.chat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.marketplace.chat.security.ChatUser;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Who may use a chat, and the chat's message counter. A service chat's participants are
 * its client and its master; a support chat's are its client and its assigned agent.
 * Admins may read any chat but, not being participants, neither join nor send.
 */
@Service
public class ChatAccess {

	private final ServiceChatRepository serviceChats;

	private final SupportChatRepository supportChats;

	private final JdbcClient jdbc;

	ChatAccess(ServiceChatRepository serviceChats, SupportChatRepository supportChats, JdbcClient jdbc) {
		this.serviceChats = serviceChats;
		this.supportChats = supportChats;
		this.jdbc = jdbc;
	}

	/** Whether the user may connect to the chat and send to it. */
	@Transactional(readOnly = true)
	public boolean isParticipant(ChatUser user, ChatKey key) {
		return row(key).map((chat) -> chat.hasParticipant(user.id())).orElse(false);
	}

	/** Whether the user may read the chat's history: participants, admins, and agents for a queued support chat. */
	@Transactional(readOnly = true)
	public boolean mayRead(ChatUser user, ChatKey key) {
		return row(key).map((chat) -> chat.mayBeReadBy(user)).orElse(false);
	}

	/**
	 * Locks the rows of these chats until the surrounding transaction ends and answers who
	 * may send to each and its last {@code seq}; chats that no longer exist are missing
	 * from the answer. Rows are locked in one global order (service chats, then support
	 * chats, each by id), so two transactions, on this replica or another, cannot deadlock
	 * on them. Holding the lock from here to commit is what makes {@code seq} and
	 * {@code id} follow commit order within a chat.
	 * <p>
	 * Plain JDBC: the caller's transaction may be a JDBC one, not a JPA one.
	 */
	public Map<ChatKey, LockedChat> lockForSending(Collection<ChatKey> keys) {
		requireTransaction();
		Map<ChatKey, LockedChat> locked = new HashMap<>();
		for (ChatKind kind : ChatKind.values()) {
			List<Long> ids = keys.stream().filter((key) -> key.kind() == kind).map(ChatKey::id).distinct().sorted().toList();
			if (ids.isEmpty()) {
				continue;
			}
			String sql = "SELECT id, client_id, " + otherColumn(kind) + " AS other_id, last_seq FROM " + table(kind)
					+ " WHERE id IN (:ids) ORDER BY id FOR UPDATE";
			this.jdbc.sql(sql).param("ids", ids).query((rs, row) -> {
				ChatKey key = new ChatKey(kind, rs.getLong("id"));
				return new LockedChat(key, rs.getLong("last_seq"), rs.getLong("client_id"),
						rs.getObject("other_id", Long.class));
			}).list().forEach((chat) -> locked.put(chat.key(), chat));
		}
		return locked;
	}

	/**
	 * Moves the {@code last_seq} of chats locked by {@link #lockForSending} in this
	 * transaction to what the caller took, and their last activity to {@code now}: one
	 * statement per kind.
	 */
	public void advance(Map<ChatKey, Long> lastSeqs, Instant now) {
		requireTransaction();
		LocalDateTime activity = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
		for (ChatKind kind : ChatKind.values()) {
			List<Map.Entry<ChatKey, Long>> chats = lastSeqs.entrySet()
				.stream()
				.filter((chat) -> chat.getKey().kind() == kind)
				.toList();
			if (chats.isEmpty()) {
				continue;
			}
			StringBuilder sql = new StringBuilder("UPDATE ").append(table(kind)).append(" SET last_seq = CASE id");
			List<Object> params = new ArrayList<>();
			for (Map.Entry<ChatKey, Long> chat : chats) {
				sql.append(" WHEN ? THEN ?");
				params.add(chat.getKey().id());
				params.add(chat.getValue());
			}
			sql.append(" END, last_activity_at = ? WHERE id IN (");
			params.add(activity);
			for (int i = 0; i < chats.size(); i++) {
				sql.append((i == 0) ? "?" : ", ?");
				params.add(chats.get(i).getKey().id());
			}
			int updated = this.jdbc.sql(sql.append(')').toString()).params(params).update();
			Assert.state(updated == chats.size(), () -> "expected to advance " + chats.size() + " locked chats, updated "
					+ updated);
		}
	}

	/** The chat's last taken {@code seq}: what every replica must have delivered by now. */
	@Transactional(readOnly = true)
	public long lastSeq(ChatKey key) {
		return row(key).orElseThrow(() -> new ChatAccessDeniedException(key)).lastSeq();
	}

	/**
	 * The {@code last_seq} of many chats of one kind in one query (chats that no longer
	 * exist are left out): what the relay's sweep compares with what it delivered.
	 */
	@Transactional(readOnly = true)
	public Map<Long, Long> lastSeqs(ChatKind kind, Collection<Long> ids) {
		List<SeqOfChat> rows = switch (kind) {
			case SERVICE -> this.serviceChats.findLastSeqs(ids);
			case SUPPORT -> this.supportChats.findLastSeqs(ids);
		};
		Map<Long, Long> seqs = new HashMap<>();
		rows.forEach((row) -> seqs.put(row.getId(), row.getLastSeq()));
		return seqs;
	}

	private Optional<ChatRow> row(ChatKey key) {
		return switch (key.kind()) {
			case SERVICE -> this.serviceChats.findById(key.id()).map(ChatRow.class::cast);
			case SUPPORT -> this.supportChats.findById(key.id()).map(ChatRow.class::cast);
		};
	}

	private static String table(ChatKind kind) {
		return switch (kind) {
			case SERVICE -> "service_chats";
			case SUPPORT -> "support_chats";
		};
	}

	private static String otherColumn(ChatKind kind) {
		return switch (kind) {
			case SERVICE -> "master_id";
			case SUPPORT -> "support_id";
		};
	}

	private static void requireTransaction() {
		Assert.state(TransactionSynchronizationManager.isActualTransactionActive(),
				"chat rows are locked and advanced only inside a transaction");
	}

}
