package com.marketplace.chat.message;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.LockedChat;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.problems.ChatProblem;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * Writes messages to MySQL, the source of truth, a batch at a time, in two round trips
 * whatever the number of messages: lock the chats' rows, then one multi-row
 * {@code INSERT} of every new message sent with the {@code UPDATE}s that move the chats'
 * {@code last_seq} and the {@code COMMIT} (four where the driver takes one statement at a
 * time, {@link WriterDatabase#multiStatements()}; a round trip costs the writer about 50
 * us of CPU, mostly in the socket's system calls, and a thread switch; edits and deletes
 * in the batch add at most three, whatever their number: reading their messages, updating
 * them, and lowering the read counts the deletes change, and their commit is one more).
 * Retries are not looked up in advance: the unique key on
 * {@code (chat, sender, client_message_id)} finds them, and only then are they read and
 * the others inserted again (a failed statement leaves the transaction and its locks as
 * they were, and stops the statements sent with it). Ids come from the insert when the
 * database hands out consecutive ones to a multi-row insert
 * ({@link WriterDatabase#consecutiveIds()}), else they are read back by
 * {@code (chat, seq)}. An edit or delete is a row of the same insert with the chat's next
 * {@code seq}, and each changed message is left as its last change in the batch says.
 * Nothing is published from here; the caller publishes after the commit.
 */
@Component
class BatchWriter {

	private final ChatCounters chats;

	private final JdbcClient jdbc;

	private final JdbcTemplate template;

	private final TransactionTemplate transactions;

	private final TransactionTemplate messageTransactions;

	private final boolean consecutiveIds;

	private final boolean multiStatements;

	private final Duration editWindow;

	BatchWriter(ChatCounters chats, WriterDatabase database, MessageProperties properties) {
		this.chats = chats;
		this.jdbc = database.jdbc();
		this.template = database.template();
		this.transactions = database.transactions();
		this.messageTransactions = database.messageTransactions();
		this.consecutiveIds = database.consecutiveIds();
		this.multiStatements = database.multiStatements();
		this.editWindow = properties.editWindow();
	}

	/**
	 * Stores the batch as {@link #storeAll} does, in a transaction of its own, and
	 * commits it. Where the driver takes several statements at once and nothing follows
	 * the insert (no edits or deletes in the batch, ids from the insert), the
	 * {@code COMMIT} travels with the insert, and the transaction manager's commit finds
	 * nothing left to send (MariaDB's driver sends none when the server says no
	 * transaction is open). Should anything fail after that statement (a count that is
	 * not what the statements promise), the messages are stored though their senders hear
	 * of a failure: as after a crash between commit and publish, a retry finds them by
	 * their client message id and receivers get them by the sweep. A batch of new
	 * messages only is bounded by {@link WriterDatabase#messageTransactions()}, one with
	 * edits or deletes, more statements, by {@link WriterDatabase#transactions()}.
	 * @return one outcome per request, in the order of the requests
	 */
	List<Outcome> commit(List<Request> requests) {
		boolean onlyMessages = requests.stream().allMatch(Request::isMessage);
		TransactionTemplate transaction = onlyMessages ? this.messageTransactions : this.transactions;
		return transaction.execute((status) -> store(requests, true));
	}

	/**
	 * Stores the batch in the caller's transaction. A message whose sender already stored
	 * one under the same {@code client_message_id} in that chat (earlier, or earlier in
	 * this batch) is not stored again: its outcome is the original. A sender who does not
	 * take part in the chat, or a chat that is gone, gets a refusal, and the others are
	 * stored all the same. The chats' rows stay locked from the first statement to the
	 * commit, so a concurrent retry on another replica waits for this one and then finds
	 * it. The caller may still roll the transaction back.
	 * @return one outcome per request, in the order of the requests
	 */
	List<Outcome> storeAll(List<Request> requests) {
		return store(requests, false);
	}

	private List<Outcome> store(List<Request> requests, boolean commit) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Map<ChatKey, LockedChat> locked = this.chats.lockForSending(requests.stream().map(Request::chat).toList());
		Map<Request, ChatProblem> refusals = new IdentityHashMap<>();
		for (Request request : requests) {
			if (!mayStore(locked, request)) {
				refusals.put(request, new ChatAccessDeniedException(request.chat()));
			}
		}
		Changes changes = checkChanges(requests, refusals, now);
		List<Request> allowed = requests.stream().filter((request) -> !refusals.containsKey(request)).toList();
		Batch batch = plan(allowed, locked, Map.of(), now);
		boolean last = commit && changes.after().isEmpty();
		Map<Request, ChatMessage> inserted;
		try {
			inserted = insertAndAdvance(batch, now, last);
		}
		catch (DuplicateKeyException retried) {
			Map<RetryKey, ChatMessage> stored = findRetries(allowed);
			if (stored.isEmpty()) {
				throw retried;
			}
			batch = plan(allowed, locked, stored, now);
			inserted = insertAndAdvance(batch, now, last);
		}
		applyChanges(requests, changes, inserted, now);

		List<Outcome> outcomes = new ArrayList<>(requests.size());
		for (Request request : requests) {
			ChatProblem refusal = refusals.get(request);
			if (refusal != null) {
				outcomes.add(Outcome.refused(refusal));
				continue;
			}
			Participants participants = locked.get(request.chat()).participants();
			ChatMessage message = inserted.get(request);
			if (message != null) {
				outcomes.add(Outcome.stored(new Committed(message, false, participants, changes.after(request))));
				continue;
			}
			Request first = batch.firstWithRetryKey().get(request.retryKey());
			ChatMessage original = (first != null) ? inserted.get(first) : batch.stored().get(request.retryKey());
			outcomes.add(Outcome.stored(new Committed(original, true, participants, null)));
		}
		return outcomes;
	}

	/**
	 * Checks the edits and deletes among the requests against their messages, in request
	 * order, as the batch will leave them: a delete earlier in the batch refuses a later
	 * edit of the same message. The chats' rows are locked, and every change of a chat's
	 * messages takes that lock, so what is read here stays true until the commit.
	 * Refusals go into {@code refusals}.
	 */
	private Changes checkChanges(List<Request> requests, Map<Request, ChatProblem> refusals, Instant now) {
		List<Long> ids = requests.stream()
			.filter((request) -> !request.isMessage() && !refusals.containsKey(request))
			.map(Request::targetId)
			.distinct()
			.toList();
		if (ids.isEmpty()) {
			return Changes.NONE;
		}
		Changes changes = new Changes(new IdentityHashMap<>());
		Map<Long, ChatMessage> targets = new HashMap<>();
		this.jdbc.sql("SELECT " + MessageRows.COLUMNS + " FROM chat_messages WHERE id IN (:ids)")
			.param("ids", ids)
			.query(MessageRows::message)
			.list()
			.forEach((target) -> targets.put(target.id(), target));
		for (Request request : requests) {
			if (request.isMessage() || refusals.containsKey(request)) {
				continue;
			}
			ChatMessage target = targets.get(request.targetId());
			ChatProblem refusal = refusalOf(request, target, now);
			if (refusal != null) {
				refusals.put(request, refusal);
				continue;
			}
			ChatMessage after = (request.kind() == ChatMessage.Kind.EDIT)
					? new ChatMessage(target.id(), target.chat(), target.seq(), target.senderId(), request.content(),
							target.clientMessageId(), target.createdAt(), ChatMessage.Kind.MESSAGE, null, now, false)
					: new ChatMessage(target.id(), target.chat(), target.seq(), target.senderId(), "",
							target.clientMessageId(), target.createdAt(), ChatMessage.Kind.MESSAGE, null,
							target.editedAt(), true);
			targets.put(target.id(), after);
			changes.after().put(request, after);
		}
		return changes;
	}

	private ChatProblem refusalOf(Request request, ChatMessage target, Instant now) {
		String verb = (request.kind() == ChatMessage.Kind.EDIT) ? "edit" : "delete";
		if (target == null || !target.chat().equals(request.chat()) || !target.isMessage()) {
			return ChatProblem.notFound("message_not_found",
					"There is no message " + request.targetId() + " in this chat.");
		}
		if (target.senderId() != request.senderId()) {
			return new ChatProblem(ChatProblem.Kind.DENIED, "not_your_message",
					"Only the sender of a message may " + verb + " it.");
		}
		if (target.deleted()) {
			return ChatProblem.conflict("message_deleted", "Message " + target.id() + " has been deleted.");
		}
		if (target.createdAt().plus(this.editWindow).isBefore(now)) {
			return ChatProblem.conflict("edit_window_closed", "A message may be " + verb + "d within "
					+ window(this.editWindow) + " of sending it; this one is older.");
		}
		return null;
	}

	/** "15 minutes", "1 minute", or "90 seconds" for a window of no whole minutes. */
	static String window(Duration window) {
		long minutes = window.toMinutes();
		if (window.toSeconds() % 60 != 0 || minutes == 0) {
			return window.toSeconds() + " seconds";
		}
		return minutes + ((minutes == 1) ? " minute" : " minutes");
	}

	/**
	 * Writes what the stored edits and deletes leave their messages as, and lowers the
	 * read counts of those who had read past a deleted message: two statements whatever
	 * the number of changes. Each message gets the state of its last change in request
	 * order (the state its last announcement carries): two edits of one message in a
	 * batch leave the second's text, an edit then a delete leave it deleted and empty.
	 */
	private void applyChanges(List<Request> requests, Changes changes, Map<Request, ChatMessage> inserted,
			Instant now) {
		if (changes.after().isEmpty()) {
			return;
		}
		Map<Long, ChatMessage> last = new LinkedHashMap<>();
		Set<Long> edited = new HashSet<>();
		List<ChatMessage> deleted = new ArrayList<>();
		for (Request request : requests) {
			ChatMessage after = changes.after(request);
			if (after == null) {
				continue;
			}
			Assert.state(inserted.containsKey(request), "an edit or delete was checked but not inserted");
			last.put(after.id(), after);
			if (request.kind() == ChatMessage.Kind.EDIT) {
				edited.add(after.id());
			}
			else {
				deleted.add(after);
			}
		}
		updateMessages(last.values(), edited, deleted, now);
		if (!deleted.isEmpty()) {
			lowerReadCounts(deleted);
		}
	}

	/**
	 * One {@code UPDATE} of every changed message: its content, {@code deleted} for the
	 * deleted ones (nothing changes a message once deleted), and {@code edited_at} for
	 * those an edit of this batch changed.
	 */
	private void updateMessages(Collection<ChatMessage> messages, Set<Long> edited, List<ChatMessage> deleted,
			Instant now) {
		StringBuilder sql = new StringBuilder("UPDATE chat_messages SET content = CASE id");
		List<Object> params = new ArrayList<>();
		for (ChatMessage message : messages) {
			sql.append(" WHEN ? THEN ?");
			params.add(message.id());
			params.add(message.content());
		}
		sql.append(" END");
		if (!deleted.isEmpty()) {
			sql.append(", deleted = CASE WHEN id IN (")
				.append(placeholders(deleted.size()))
				.append(") THEN TRUE ELSE deleted END");
			deleted.forEach((message) -> params.add(message.id()));
		}
		if (!edited.isEmpty()) {
			sql.append(", edited_at = CASE WHEN id IN (")
				.append(placeholders(edited.size()))
				.append(") THEN ? ELSE edited_at END");
			params.addAll(edited);
			params.add(LocalDateTime.ofInstant(now, ZoneOffset.UTC));
		}
		sql.append(" WHERE id IN (").append(placeholders(messages.size())).append(')');
		messages.forEach((message) -> params.add(message.id()));
		int updated = this.jdbc.sql(sql.toString()).params(params).update();
		Assert.state(updated == messages.size(),
				() -> "expected to change " + messages.size() + " messages, updated " + updated);
	}

	/**
	 * One {@code UPDATE} of the read positions at or past any deleted message, each
	 * lowered by the number of those messages it had read.
	 */
	private void lowerReadCounts(List<ChatMessage> deleted) {
		String readPast = "(chat_kind = ? AND chat_id = ? AND last_read_seq >= ?)";
		List<Object> each = new ArrayList<>();
		for (ChatMessage message : deleted) {
			each.addAll(List.of(message.chat().kind().key(), message.chat().id(), message.seq()));
		}
		List<Object> params = new ArrayList<>(each);
		params.addAll(each);
		String lowered = String.join(" + ",
				Collections.nCopies(deleted.size(), "CASE WHEN " + readPast + " THEN 1 ELSE 0 END"));
		String where = String.join(" OR ", Collections.nCopies(deleted.size(), readPast));
		this.jdbc.sql("UPDATE chat_reads SET read_count = read_count - (" + lowered + ") WHERE " + where)
			.params(params)
			.update();
	}

	private static String placeholders(int count) {
		return String.join(", ", Collections.nCopies(count, "?"));
	}

	/**
	 * Which requests to insert with which {@code seq}: every allowed one but retries of
	 * {@code stored} messages and repeats within the batch.
	 */
	private static Batch plan(List<Request> allowed, Map<ChatKey, LockedChat> locked, Map<RetryKey, ChatMessage> stored,
			Instant now) {
		Map<ChatKey, Long> lastSeqs = new LinkedHashMap<>();
		Map<ChatKey, Long> messageCounts = new HashMap<>();
		List<Insert> inserts = new ArrayList<>();
		Map<RetryKey, Request> firstWithRetryKey = new HashMap<>();
		for (Request request : allowed) {
			RetryKey retry = request.retryKey();
			if (retry != null && (stored.containsKey(retry) || firstWithRetryKey.containsKey(retry))) {
				continue;
			}
			long seq = lastSeqs.merge(request.chat(), locked.get(request.chat()).lastSeq() + 1,
					(taken, first) -> taken + 1);
			inserts
				.add(new Insert(request, new ChatMessage(0, request.chat(), seq, request.senderId(), request.content(),
						request.clientMessageId(), now, request.kind(), request.targetId(), null, false)));
			long counted = switch (request.kind()) {
				case MESSAGE -> 1;
				case EDIT -> 0;
				case DELETE -> -1;
			};
			messageCounts.merge(request.chat(), counted, Long::sum);
			if (retry != null) {
				firstWithRetryKey.put(retry, request);
			}
		}
		return new Batch(inserts, lastSeqs, messageCounts, firstWithRetryKey, stored);
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
	 * One multi-row insert and the {@code UPDATE}s that move the chats' counters past it:
	 * in one round trip where the database takes several statements at once, with the
	 * {@code COMMIT} too when the transaction ends here ({@code last}) and the ids come
	 * from the insert, so that nothing is read after it (a failed insert stops the rest,
	 * so a retry found by the unique key leaves the counters as they were and the
	 * transaction open). The new rows' ids come from the insert, or are read back by
	 * their (chat, seq) ranges.
	 */
	private Map<Request, ChatMessage> insertAndAdvance(Batch batch, Instant now, boolean last) {
		List<Insert> inserts = batch.inserts();
		Map<Request, ChatMessage> inserted = new IdentityHashMap<>();
		if (inserts.isEmpty()) {
			return inserted;
		}
		List<ChatCounters.Advance> advances = this.chats.advances(batch.lastSeqs(), batch.messageCounts(), now);
		List<ChatCounters.Advance> along = this.multiStatements ? advances : List.of();
		boolean commitAlong = last && this.multiStatements && this.consecutiveIds;
		LocalDateTime createdAt = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
		StringBuilder sql = new StringBuilder(
				"INSERT INTO chat_messages (chat_kind, chat_id, seq, sender_id, content, client_message_id, created_at, "
						+ "kind, target_id) VALUES ");
		List<Object> params = new ArrayList<>(inserts.size() * 9);
		for (int i = 0; i < inserts.size(); i++) {
			ChatMessage message = inserts.get(i).message();
			sql.append((i == 0) ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)");
			params.add(message.chat().kind().key());
			params.add(message.chat().id());
			params.add(message.seq());
			params.add(message.senderId());
			params.add(message.content());
			params.add(new SqlParameterValue(Types.VARBINARY, MessageRows.clientMessageId(message.clientMessageId())));
			params.add(createdAt);
			params.add(message.kind().key());
			params.add(new SqlParameterValue(Types.BIGINT, message.targetId()));
		}
		for (ChatCounters.Advance advance : along) {
			sql.append("; ").append(advance.sql());
			params.addAll(advance.params());
		}
		if (commitAlong) {
			sql.append("; COMMIT");
		}
		Long firstId = this.template.execute((Connection connection) -> {
			PreparedStatement statement = connection.prepareStatement(sql.toString(), Statement.RETURN_GENERATED_KEYS);
			new ArgumentPreparedStatementSetter(params.toArray()).setValues(statement);
			return statement;
		}, (PreparedStatement statement) -> {
			statement.execute();
			int count = statement.getUpdateCount();
			Assert.state(count == inserts.size(), () -> "inserted " + count + " of " + inserts.size() + " messages");
			Long first = null;
			try (ResultSet keys = statement.getGeneratedKeys()) {
				if (keys.next()) {
					first = keys.getLong(1);
				}
			}
			for (ChatCounters.Advance advance : along) {
				statement.getMoreResults();
				advance.check(statement.getUpdateCount());
			}
			return first;
		});
		if (along.isEmpty()) {
			advances
				.forEach((advance) -> advance.check(this.jdbc.sql(advance.sql()).params(advance.params()).update()));
		}
		if (this.consecutiveIds && firstId != null) {
			for (int i = 0; i < inserts.size(); i++) {
				inserted.put(inserts.get(i).request(), inserts.get(i).message().withId(firstId + i));
			}
			return inserted;
		}
		Map<SeqKey, Long> ids = readIds(inserts);
		for (Insert insert : inserts) {
			ChatMessage message = insert.message();
			inserted.put(insert.request(), message.withId(ids.get(new SeqKey(message.chat(), message.seq()))));
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

	/**
	 * A message to store, or an edit or delete of one ({@code targetId}); edits and
	 * deletes carry no client message id.
	 */
	record Request(ChatKey chat, long senderId, ChatMessage.Kind kind, Long targetId, String content,
			String clientMessageId) {

		Request(ChatKey chat, long senderId, String content, String clientMessageId) {
			this(chat, senderId, ChatMessage.Kind.MESSAGE, null, content, clientMessageId);
		}

		boolean isMessage() {
			return this.kind == ChatMessage.Kind.MESSAGE;
		}

		RetryKey retryKey() {
			return (this.clientMessageId != null) ? new RetryKey(this.chat, this.senderId, this.clientMessageId) : null;
		}

	}

	/** Either what was stored or why it was refused. */
	record Outcome(Committed sent, ChatProblem refusal) {

		static Outcome stored(Committed sent) {
			return new Outcome(sent, null);
		}

		static Outcome refused(ChatProblem refusal) {
			return new Outcome(null, refusal);
		}

	}

	/**
	 * @param inserts what to insert, in order; by identity, as two sends of the same text
	 * without a client message id are two messages
	 */
	private record Batch(List<Insert> inserts, Map<ChatKey, Long> lastSeqs, Map<ChatKey, Long> messageCounts,
			Map<RetryKey, Request> firstWithRetryKey, Map<RetryKey, ChatMessage> stored) {
	}

	/** What each accepted edit or delete leaves its message as. */
	private record Changes(Map<Request, ChatMessage> after) {

		/** A batch of messages only: nothing to change. */
		static final Changes NONE = new Changes(Map.of());

		ChatMessage after(Request request) {
			return this.after.get(request);
		}

	}

	private record Insert(Request request, ChatMessage message) {
	}

	private record SeqKey(ChatKey chat, long seq) {
	}

	private record RetryKey(ChatKey chat, long senderId, String clientMessageId) {
	}

}
