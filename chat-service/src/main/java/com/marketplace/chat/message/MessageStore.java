package com.marketplace.chat.message;

import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.marketplace.chat.chat.ChatAccessDeniedException;
import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
import com.marketplace.chat.chat.LockedChat;
import com.marketplace.chat.chat.Participants;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.Assert;

/**
 * Writes messages to MySQL, the source of truth, a batch at a time inside the caller's
 * transaction, with a handful of statements whatever the batch's size: lock the chats'
 * rows, look up retries, insert every new message in one multi-row {@code INSERT}, read
 * back their ids, move the chats' {@code last_seq}. Nothing is published from here; the
 * caller publishes only after the transaction has committed.
 * <p>
 * Plain JDBC rather than JPA: the store is the hot path of every message, and Hibernate's
 * per-entity work cost more CPU than the database itself did.
 */
@Component
class MessageStore {

	private final ChatCounters chats;

	private final JdbcClient jdbc;

	MessageStore(ChatCounters chats, WriterDatabase database) {
		this.chats = chats;
		this.jdbc = database.jdbc();
	}

	/**
	 * Stores the batch in the caller's transaction. A message whose sender already stored
	 * one under the same {@code client_message_id} in that chat (earlier, or earlier in
	 * this batch) is not stored again: its outcome is the original. A sender who does not
	 * take part in the chat, or a chat that is gone, gets a refusal, and the others are
	 * stored all the same. Retries are looked up while the chat's row is locked, so a
	 * concurrent retry on another replica waits for this one and then finds it.
	 * @return one outcome per request, in the order of the requests
	 */
	List<Outcome> storeAll(List<Request> requests) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Map<ChatKey, LockedChat> locked = this.chats.lockForSending(requests.stream().map(Request::chat).toList());
		List<Request> allowed = requests.stream().filter((request) -> mayStore(locked, request)).toList();
		Map<RetryKey, StoredMessage> stored = findRetries(allowed);
		Map<RetryKey, StoredMessage> earlier = new HashMap<>(stored);

		Map<ChatKey, Long> lastSeqs = new LinkedHashMap<>();
		List<StoredMessage> inserts = new ArrayList<>();
		// By identity: two sends of the same text without a client message id are two messages.
		Map<Request, StoredMessage> fresh = new IdentityHashMap<>();
		for (Request request : allowed) {
			RetryKey retry = request.retryKey();
			if (retry != null && earlier.containsKey(retry)) {
				continue;
			}
			long seq = lastSeqs.merge(request.chat(), locked.get(request.chat()).lastSeq() + 1, (taken, first) -> taken + 1);
			StoredMessage message = new StoredMessage(0, request.chat(), seq, request.senderId(), request.content(),
					request.clientMessageId(), now, request.origin());
			inserts.add(message);
			fresh.put(request, message);
			if (retry != null) {
				earlier.put(retry, message);
			}
		}
		Map<SeqKey, Long> ids = inserts.isEmpty() ? Map.of() : insert(inserts, now);
		if (!lastSeqs.isEmpty()) {
			this.chats.advance(lastSeqs, now);
		}

		List<Outcome> outcomes = new ArrayList<>(requests.size());
		for (Request request : requests) {
			if (!mayStore(locked, request)) {
				outcomes.add(Outcome.refused(new ChatAccessDeniedException(request.chat())));
				continue;
			}
			StoredMessage message = fresh.get(request);
			Participants participants = locked.get(request.chat()).participants();
			if (message != null) {
				outcomes.add(Outcome.stored(withId(message, ids), false, participants));
				continue;
			}
			StoredMessage original = earlier.get(request.retryKey());
			outcomes.add(Outcome.stored(stored.containsKey(request.retryKey()) ? original : withId(original, ids), true,
					participants));
		}
		return outcomes;
	}

	private static boolean mayStore(Map<ChatKey, LockedChat> locked, Request request) {
		LockedChat chat = locked.get(request.chat());
		return chat != null && chat.hasParticipant(request.senderId());
	}

	private Map<RetryKey, StoredMessage> findRetries(List<Request> requests) {
		List<RetryKey> keys = requests.stream().map(Request::retryKey).filter(Objects::nonNull).distinct().toList();
		if (keys.isEmpty()) {
			return Map.of();
		}
		StringBuilder sql = new StringBuilder("SELECT ").append(MessageRows.COLUMNS).append(" FROM chat_messages WHERE ");
		List<Object> params = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			RetryKey key = keys.get(i);
			sql.append((i == 0) ? "" : " OR ")
				.append("(chat_kind = ? AND chat_id = ? AND sender_id = ? AND client_message_id = ?)");
			params.add(key.chat().kind().key());
			params.add(key.chat().id());
			params.add(key.senderId());
			params.add(MessageRows.clientMessageId(key.clientMessageId()));
		}
		Map<RetryKey, StoredMessage> found = new HashMap<>();
		for (StoredMessage message : this.jdbc.sql(sql.toString()).params(params).query(MessageRows::message).list()) {
			found.put(new RetryKey(message.chat(), message.senderId(), message.clientMessageId()), message);
		}
		return found;
	}

	/** One multi-row insert, then the new rows' ids, found by their (chat, seq) ranges. */
	private Map<SeqKey, Long> insert(List<StoredMessage> messages, Instant now) {
		LocalDateTime createdAt = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
		StringBuilder sql = new StringBuilder(
				"INSERT INTO chat_messages (chat_kind, chat_id, seq, sender_id, content, client_message_id, created_at, origin) VALUES ");
		List<Object> params = new ArrayList<>(messages.size() * 8);
		Map<ChatKey, long[]> ranges = new LinkedHashMap<>();
		for (int i = 0; i < messages.size(); i++) {
			StoredMessage message = messages.get(i);
			sql.append((i == 0) ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)");
			params.add(message.chat().kind().key());
			params.add(message.chat().id());
			params.add(message.seq());
			params.add(message.senderId());
			params.add(message.content());
			params.add(new SqlParameterValue(Types.VARBINARY, MessageRows.clientMessageId(message.clientMessageId())));
			params.add(createdAt);
			params.add(new SqlParameterValue(Types.VARCHAR, message.origin()));
			ranges.merge(message.chat(), new long[] { message.seq(), message.seq() },
					(range, one) -> new long[] { Math.min(range[0], one[0]), Math.max(range[1], one[1]) });
		}
		int inserted = this.jdbc.sql(sql.toString()).params(params).update();
		Assert.state(inserted == messages.size(), () -> "inserted " + inserted + " of " + messages.size() + " messages");

		StringBuilder select = new StringBuilder("SELECT id, chat_kind, chat_id, seq FROM chat_messages WHERE ");
		List<Object> keys = new ArrayList<>();
		ranges.forEach((chat, range) -> {
			select.append(keys.isEmpty() ? "" : " OR ").append("(chat_kind = ? AND chat_id = ? AND seq BETWEEN ? AND ?)");
			keys.add(chat.kind().key());
			keys.add(chat.id());
			keys.add(range[0]);
			keys.add(range[1]);
		});
		Map<SeqKey, Long> ids = new HashMap<>();
		this.jdbc.sql(select.toString()).params(keys).query((ResultSet rs) -> {
			ids.put(new SeqKey(MessageRows.kind(rs.getString("chat_kind")), rs.getLong("chat_id"), rs.getLong("seq")), rs.getLong("id"));
		});
		Assert.state(ids.size() == messages.size(), () -> "found " + ids.size() + " of " + messages.size() + " new messages");
		return ids;
	}

	private static StoredMessage withId(StoredMessage message, Map<SeqKey, Long> ids) {
		long id = ids.get(new SeqKey(message.chat().kind(), message.chat().id(), message.seq()));
		return new StoredMessage(id, message.chat(), message.seq(), message.senderId(), message.content(),
				message.clientMessageId(), message.createdAt(), message.origin());
	}

	/** A message to store. {@code origin} is the sending connection's id, {@code null} for REST. */
	record Request(ChatKey chat, long senderId, String content, String clientMessageId, String origin) {

		RetryKey retryKey() {
			return (this.clientMessageId != null) ? new RetryKey(this.chat, this.senderId, this.clientMessageId) : null;
		}

	}

	/** Either the stored message or why it was refused. */
	record Outcome(Stored stored, ChatAccessDeniedException refusal) {

		static Outcome stored(StoredMessage message, boolean duplicate, Participants participants) {
			return new Outcome(new Stored(message, duplicate, participants), null);
		}

		static Outcome refused(ChatAccessDeniedException refusal) {
			return new Outcome(null, refusal);
		}

	}

	/**
	 * @param duplicate whether this was a retry of a message stored earlier
	 * @param participants who took part in the chat when it was stored (under its lock)
	 */
	record Stored(StoredMessage message, boolean duplicate, Participants participants) {
	}

	private record RetryKey(ChatKey chat, long senderId, String clientMessageId) {
	}

	private record SeqKey(ChatKind kind, long chatId, long seq) {
	}

}
