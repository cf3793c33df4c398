package com.marketplace.chat.message;

import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.ChatRows;
import com.marketplace.chat.chats.ChatState;
import com.marketplace.chat.chats.LockedChat;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * The one owner of each chat's counters, {@code last_seq} and {@code message_count}: it
 * locks chat rows for sending and moves their counters, in the writers' transactions.
 * Nothing else writes the columns (JPA maps them read-only), so a {@code seq} is never
 * taken twice.
 */
@Component
class ChatCounters {

	private final WriterDatabase database;

	ChatCounters(WriterDatabase database) {
		this.database = database;
	}

	/**
	 * Locks the rows of these chats until the surrounding transaction ends and answers
	 * who may send to each and its last {@code seq}; chats that no longer exist are
	 * missing from the answer. Rows are locked in one global order (service chats, then
	 * support chats, each by id), so two transactions, on this replica or another, cannot
	 * deadlock on them. Holding the lock from here to commit is what makes {@code seq}
	 * and {@code id} follow commit order within a chat.
	 */
	Map<ChatKey, LockedChat> lockForSending(Collection<ChatKey> keys) {
		requireTransaction();
		Map<ChatKey, LockedChat> locked = new HashMap<>();
		for (ChatKind kind : ChatKind.values()) {
			List<Long> ids = keys.stream()
				.filter((key) -> key.kind() == kind)
				.map(ChatKey::id)
				.distinct()
				.sorted()
				.toList();
			if (ids.isEmpty()) {
				continue;
			}
			this.database.jdbc()
				.sql(ChatRows.selectStates(kind) + " ORDER BY id FOR UPDATE")
				.param("ids", ids)
				.query((ResultSet rs) -> {
					ChatKey key = new ChatKey(kind, rs.getLong("id"));
					ChatState state = ChatRows.state(rs);
					locked.put(key, new LockedChat(key, state.lastSeq(), state.participants()));
				});
		}
		return locked;
	}

	/**
	 * The statements that move the {@code last_seq} of chats locked by
	 * {@link #lockForSending} in this transaction to what the caller took, their
	 * {@code message_count} by what the caller stored and deleted, and their last
	 * activity to {@code now}: one per kind. The caller sends them, with its insert where
	 * the driver takes several statements at once, and checks each one's count with
	 * {@link Advance#check}.
	 */
	List<Advance> advances(Map<ChatKey, Long> lastSeqs, Map<ChatKey, Long> messageCounts, Instant now) {
		requireTransaction();
		LocalDateTime activity = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
		List<Advance> advances = new ArrayList<>(2);
		for (ChatKind kind : ChatKind.values()) {
			List<Map.Entry<ChatKey, Long>> chats = lastSeqs.entrySet()
				.stream()
				.filter((chat) -> chat.getKey().kind() == kind)
				.toList();
			if (chats.isEmpty()) {
				continue;
			}
			StringBuilder sql = new StringBuilder("UPDATE ").append(kind.table()).append(" SET last_seq = CASE id");
			List<Object> params = new ArrayList<>();
			for (Map.Entry<ChatKey, Long> chat : chats) {
				sql.append(" WHEN ? THEN ?");
				params.add(chat.getKey().id());
				params.add(chat.getValue());
			}
			sql.append(" END, message_count = message_count + CASE id");
			for (Map.Entry<ChatKey, Long> chat : chats) {
				sql.append(" WHEN ? THEN ?");
				params.add(chat.getKey().id());
				params.add(messageCounts.getOrDefault(chat.getKey(), 0L));
			}
			sql.append(" END, last_activity_at = ? WHERE id IN (");
			params.add(activity);
			for (int i = 0; i < chats.size(); i++) {
				sql.append((i == 0) ? "?" : ", ?");
				params.add(chats.get(i).getKey().id());
			}
			advances.add(new Advance(sql.append(')').toString(), params, chats.size()));
		}
		return advances;
	}

	/**
	 * One {@code UPDATE} of locked chats' counters, which must change exactly
	 * {@code chats} rows.
	 */
	record Advance(String sql, List<Object> params, int chats) {

		void check(int updated) {
			Assert.state(updated == this.chats,
					() -> "expected to advance " + this.chats + " locked chats, updated " + updated);
		}

	}

	private static void requireTransaction() {
		Assert.state(TransactionSynchronizationManager.isActualTransactionActive(),
				"chat rows are locked and advanced only inside a transaction");
	}

}
