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

import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.LockedChat;
import com.marketplace.chat.chats.Participants;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.util.Assert;

/**
 * Writes messages to MySQL, the source of truth, a batch at a time inside the caller's
 * transaction, in four round trips whatever the batch's size: lock the chats' rows,
 * insert every new message in one multi-row {@code INSERT}, move the chats'
 * {@code last_seq}, commit. Retries are not looked up in advance: the unique key on
 * {@code (chat, sender, client_message_id)} finds them, and only then are they read and
 * the others inserted again (a failed statement leaves the transaction and its locks as
 * they were). Ids come from the insert when the database hands out consecutive ones to a
 * multi-row insert ({@link WriterDatabase#consecutiveIds()}), else they are read back by
 * {@code (chat, seq)}. Nothing is published from here; the caller publishes after the
 * commit.
 */
@Component
class BatchWriter {

	private final ChatCounters chats;

	private final JdbcClient jdbc;

	private final boolean consecutiveIds;

	BatchWriter(ChatCounters chats, WriterDatabase database) {
		this.chats = chats;
		this.jdbc = database.jdbc();
		this.consecutiveIds = database.consecutiveIds();
	}

	/**
	 * Stores the batch in the caller's transaction. A message whose sender already stored
	 * one under the same {@code client_message_id} in that chat (earlier, or earlier in
	 * this batch) is not stored again: its outcome is the original. A sender who does not
	 * take part in the chat, or a chat that is gone, gets a refusal, and the others are
	 * stored all the same. The chats' rows stay locked from the first statement to the
	 * commit, so a concurrent retry on another replica waits for this one and then finds
	 * it.
	 * @return one outcome per request, in the order of the requests
	 */
	List<Outcome> storeAll(List<Request> requests) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Map<ChatKey, LockedChat> locked = this.chats.lockForSending(requests.stream().map(Request::chat).toList());
		List<Request> allowed = requests.stream().filter((request) -> mayStore(locked, request)).toList();
		Batch batch = plan(allowed, locked, Map.of(), now);
		Map<Request, ChatMessage> inserted;
		try {
			inserted = insert(batch.inserts(), now);
		}
		catch (DuplicateKeyException retried) {
			Map<RetryKey, ChatMessage> stored = findRetries(allowed);
			if (stored.isEmpty()) {
				throw retried;
			}
			batch = plan(allowed, locked, stored, now);
			inserted = insert(batch.inserts(), now);
		}
		if (!batch.lastSeqs().isEmpty()) {
			this.chats.advance(batch.lastSeqs(), now);
		}

		List<Outcome> outcomes = new ArrayList<>(requests.size());
		for (Request request : requests) {
			if (!mayStore(locked, request)) {
				outcomes.add(Outcome.refused(new ChatAccessDeniedException(request.chat())));
				continue;
			}
			Participants participants = locked.get(request.chat()).participants();
			ChatMessage message = inserted.get(request);
			if (message != null) {
				outcomes.add(Outcome.stored(new Committed(message, false, participants)));
				continue;
			}
			Request first = batch.firstWithRetryKey().get(request.retryKey());
			ChatMessage original = (first != null) ? inserted.get(first) : batch.stored().get(request.retryKey());
			outcomes.add(Outcome.stored(new Committed(original, true, participants)));
		}
		return outcomes;
	}

	/**
	 * Which requests to insert with which {@code seq}: every allowed one but retries of
	 * {@code stored} messages and repeats within the batch.
	 */
	private static Batch plan(List<Request> allowed, Map<ChatKey, LockedChat> locked, Map<RetryKey, ChatMessage> stored,
			Instant now) {
		Map<ChatKey, Long> lastSeqs = new LinkedHashMap<>();
		List<Insert> inserts = new ArrayList<>();
		Map<RetryKey, Request> firstWithRetryKey = new HashMap<>();
		for (Request request : allowed) {
			RetryKey retry = request.retryKey();
			if (retry != null && (stored.containsKey(retry) || firstWithRetryKey.containsKey(retry))) {
				continue;
			}
			long seq = lastSeqs.merge(request.chat(), locked.get(request.chat()).lastSeq() + 1,
					(taken, first) -> taken + 1);
			inserts.add(new Insert(request, new ChatMessage(0, request.chat(), seq, request.senderId(),
					request.content(), request.clientMessageId(), now)));
			if (retry != null) {
				firstWithRetryKey.put(retry, request);
			}
		}
		return new Batch(inserts, lastSeqs, firstWithRetryKey, stored);
	}

	private static boolean mayStore(Map<ChatKey, LockedChat> locked, Request request) {
		LockedChat chat = locked.get(request.chat());
		return chat != null && chat.hasParticipant(request.senderId());
	}

	private Map<RetryKey, ChatMessage> findRetries(List<Request> requests) {
		List<RetryKey> keys = requests.stream().map(Request::retryKey).filter(Objects::nonNull).distinct().toList();
		if (keys.isEmpty()) {
			return Map.of();
		}
		StringBuilder sql = new StringBuilder("SELECT ").append(MessageRows.COLUMNS)
			.append(" FROM chat_messages WHERE ");
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
		Map<RetryKey, ChatMessage> found = new HashMap<>();
		for (ChatMessage message : this.jdbc.sql(sql.toString()).params(params).query(MessageRows::message).list()) {
			found.put(new RetryKey(message.chat(), message.senderId(), message.clientMessageId()), message);
		}
		return found;
	}

	/**
	 * One multi-row insert; the new rows' ids from it, or read back by their (chat, seq)
	 * ranges.
	 */
	private Map<Request, ChatMessage> insert(List<Insert> inserts, Instant now) {
		Map<Request, ChatMessage> inserted = new IdentityHashMap<>();
		if (inserts.isEmpty()) {
			return inserted;
		}
		LocalDateTime createdAt = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
		StringBuilder sql = new StringBuilder(
				"INSERT INTO chat_messages (chat_kind, chat_id, seq, sender_id, content, client_message_id, created_at) VALUES ");
		List<Object> params = new ArrayList<>(inserts.size() * 7);
		for (int i = 0; i < inserts.size(); i++) {
			ChatMessage message = inserts.get(i).message();
			sql.append((i == 0) ? "(?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?)");
			params.add(message.chat().kind().key());
			params.add(message.chat().id());
			params.add(message.seq());
			params.add(message.senderId());
			params.add(message.content());
			params.add(new SqlParameterValue(Types.VARBINARY, MessageRows.clientMessageId(message.clientMessageId())));
			params.add(createdAt);
		}
		KeyHolder keys = new GeneratedKeyHolder();
		int count = this.jdbc.sql(sql.toString()).params(params).update(keys);
		Assert.state(count == inserts.size(), () -> "inserted " + count + " of " + inserts.size() + " messages");
		if (this.consecutiveIds && !keys.getKeyList().isEmpty()) {
			long first = ((Number) keys.getKeyList().get(0).values().iterator().next()).longValue();
			for (int i = 0; i < inserts.size(); i++) {
				inserted.put(inserts.get(i).request(), withId(inserts.get(i).message(), first + i));
			}
			return inserted;
		}
		Map<SeqKey, Long> ids = readIds(inserts);
		for (Insert insert : inserts) {
			ChatMessage message = insert.message();
			inserted.put(insert.request(), withId(message, ids.get(new SeqKey(message.chat(), message.seq()))));
		}
		return inserted;
	}

	private Map<SeqKey, Long> readIds(List<Insert> inserts) {
		Map<ChatKey, long[]> ranges = new LinkedHashMap<>();
		for (Insert insert : inserts) {
			long seq = insert.message().seq();
			ranges.merge(insert.message().chat(), new long[] { seq, seq },
					(range, one) -> new long[] { Math.min(range[0], one[0]), Math.max(range[1], one[1]) });
		}
		StringBuilder select = new StringBuilder("SELECT id, chat_kind, chat_id, seq FROM chat_messages WHERE ");
		List<Object> params = new ArrayList<>();
		ranges.forEach((chat, range) -> {
			select.append(params.isEmpty() ? "" : " OR ")
				.append("(chat_kind = ? AND chat_id = ? AND seq BETWEEN ? AND ?)");
			params.add(chat.kind().key());
			params.add(chat.id());
			params.add(range[0]);
			params.add(range[1]);
		});
		Map<SeqKey, Long> ids = new HashMap<>();
		this.jdbc.sql(select.toString()).params(params).query((ResultSet rs) -> {
			ChatKey chat = new ChatKey(MessageRows.kind(rs.getString("chat_kind")), rs.getLong("chat_id"));
			ids.put(new SeqKey(chat, rs.getLong("seq")), rs.getLong("id"));
		});
		Assert.state(ids.size() == inserts.size(),
				() -> "found " + ids.size() + " of " + inserts.size() + " new messages");
		return ids;
	}

	private static ChatMessage withId(ChatMessage message, long id) {
		return new ChatMessage(id, message.chat(), message.seq(), message.senderId(), message.content(),
				message.clientMessageId(), message.createdAt());
	}

	/** A message to store. */
	record Request(ChatKey chat, long senderId, String content, String clientMessageId) {

		RetryKey retryKey() {
			return (this.clientMessageId != null) ? new RetryKey(this.chat, this.senderId, this.clientMessageId) : null;
		}

	}

	/** Either what was stored or why it was refused. */
	record Outcome(Committed sent, ChatAccessDeniedException refusal) {

		static Outcome stored(Committed sent) {
			return new Outcome(sent, null);
		}

		static Outcome refused(ChatAccessDeniedException refusal) {
			return new Outcome(null, refusal);
		}

	}

	/**
	 * @param inserts what to insert, in order; by identity, as two sends of the same text
	 * without a client message id are two messages
	 */
	private record Batch(List<Insert> inserts, Map<ChatKey, Long> lastSeqs, Map<RetryKey, Request> firstWithRetryKey,
			Map<RetryKey, ChatMessage> stored) {
	}

	private record Insert(Request request, ChatMessage message) {
	}

	private record SeqKey(ChatKey chat, long seq) {
	}

	private record RetryKey(ChatKey chat, long senderId, String clientMessageId) {
	}

}
