package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import javax.sql.DataSource;

import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.ChatReads;
import com.marketplace.chat.message.BatchWriter.Outcome;
import com.marketplace.chat.message.BatchWriter.Request;
import com.marketplace.chat.security.ChatUser;
import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * One batch through the store, against the real database: every case a grouped commit can
 * hold at once, each with its own outcome.
 */
class BatchWriterTests {

	private final Replica replica = Cluster.get().a;

	private final BatchWriter store = this.replica.bean(BatchWriter.class);

	private final TransactionTemplate transactions = this.replica.bean(WriterDatabase.class).transactions();

	@Test
	void aBatchStoresRetriesRefusalsAndBothKindsEachAsIfAlone() {
		Chat service = Chats.serviceChat(this.replica);
		Chat support = Chats.supportChat(this.replica);
		ChatKey serviceKey = new ChatKey(ChatKind.SERVICE, service.id());
		ChatKey supportKey = new ChatKey(ChatKind.SUPPORT, support.id());
		long client = service.client().id();
		Outcome earlier = storeAll(List.of(new Request(serviceKey, client, "first", "c-1"))).get(0);
		assertThat(earlier.sent().message().seq()).isEqualTo(1);

		List<Outcome> outcomes = storeAll(List.of(new Request(supportKey, support.other().id(), "agent here", "s-1"), // 0
				new Request(serviceKey, client, "first again", "c-1"), // 1: retry of an
																		// earlier message
				new Request(serviceKey, client, "same text", null), // 2
				new Request(serviceKey, service.other().id(), "from the master", "m-1"), // 3
				new Request(serviceKey, Cluster.newUserId(), "intruder", "x-1"), // 4: not
																					// a
																					// participant
				new Request(serviceKey, client, "same text", null), // 5: same text, no
																	// id: a new message
				new Request(serviceKey, service.other().id(), "retried at once", "m-1"), // 6:
																							// retry
																							// within
																							// the
																							// batch
				new Request(new ChatKey(ChatKind.SERVICE, Long.MAX_VALUE), client, "nowhere", null), // 7:
																										// no
																										// such
																										// chat
				new Request(supportKey, support.client().id(), "client here", "s-1"))); // 8:
																						// another
																						// sender's
																						// s-1

		assertThat(outcomes.get(4).refusal()).isInstanceOf(ChatAccessDeniedException.class);
		assertThat(outcomes.get(7).refusal()).isInstanceOf(ChatAccessDeniedException.class);
		assertThat(outcomes.get(1).sent().duplicate()).isTrue();
		assertThat(outcomes.get(1).sent().message()).isEqualTo(earlier.sent().message());
		assertThat(outcomes.get(6).sent().duplicate()).isTrue();
		assertThat(outcomes.get(6).sent().message()).isEqualTo(outcomes.get(3).sent().message());

		List<ChatMessage> serviceNew = List.of(outcomes.get(2), outcomes.get(3), outcomes.get(5))
			.stream()
			.peek((outcome) -> assertThat(outcome.sent().duplicate()).isFalse())
			.map((outcome) -> outcome.sent().message())
			.toList();
		assertThat(serviceNew).extracting(ChatMessage::seq).containsExactly(2L, 3L, 4L);
		assertThat(serviceNew).extracting(ChatMessage::content)
			.containsExactly("same text", "from the master", "same text");
		assertThat(serviceNew.get(0).id()).isLessThan(serviceNew.get(1).id());
		assertThat(serviceNew.get(1).id()).isLessThan(serviceNew.get(2).id());
		assertThat(outcomes.get(0).sent().message().seq()).isEqualTo(1);
		assertThat(outcomes.get(8).sent().message().seq()).isEqualTo(2);

		// What the batch answered is exactly what history finds, to the microsecond.
		MessageHistory history = this.replica.bean(MessageHistory.class);
		assertThat(history.bySeq(serviceKey, 0, 10)).containsExactly(earlier.sent().message(), serviceNew.get(0),
				serviceNew.get(1), serviceNew.get(2));
		assertThat(history.bySeq(supportKey, 0, 10)).containsExactly(outcomes.get(0).sent().message(),
				outcomes.get(8).sent().message());
		assertThat(this.replica.bean(com.marketplace.chat.chats.ChatAccess.class).lastSeq(serviceKey)).isEqualTo(4);
		assertThat(outcomes.get(0).sent().participants().includes(support.other().id())).isTrue();
	}

	@Test
	void aRetryOfAStoredMessageInABatchOfNewOnesFindsTheOriginalAndStoresTheRest() {
		Chat service = Chats.serviceChat(this.replica);
		ChatKey key = new ChatKey(ChatKind.SERVICE, service.id());
		long client = service.client().id();
		ChatMessage original = storeAll(List.of(new Request(key, client, "original", "dup-1"))).get(0).sent().message();
		// The insert of the batch hits the unique key of dup-1; the store then reads the
		// original and inserts the others again, in the same transaction.
		List<Outcome> outcomes = storeAll(List.of(new Request(key, client, "new one", "new-1"),
				new Request(key, client, "original again", "dup-1"), new Request(key, client, "new two", null)));
		assertThat(outcomes.get(1).sent().duplicate()).isTrue();
		assertThat(outcomes.get(1).sent().message()).isEqualTo(original);
		assertThat(outcomes.get(0).sent().message().seq()).isEqualTo(2);
		assertThat(outcomes.get(2).sent().message().seq()).isEqualTo(3);
		assertThat(this.replica.bean(MessageHistory.class).bySeq(key, 0, 10)).extracting(ChatMessage::content)
			.containsExactly("original", "new one", "new two");
		// The counters' update travels with the insert that failed; it must not have run
		// (message_count only grows by what is added, so running it twice shows).
		Map<String, Object> counters = this.replica.bean(WriterDatabase.class)
			.jdbc()
			.sql("SELECT last_seq, message_count FROM service_chats WHERE id = ?")
			.param(service.id())
			.query()
			.singleRow();
		assertThat(counters).containsEntry("last_seq", 3L).containsEntry("message_count", 3L);
	}

	@Test
	void aFailedBatchWritesNothingAndMovesNoCounter() {
		Chat service = Chats.serviceChat(this.replica);
		ChatKey key = new ChatKey(ChatKind.SERVICE, service.id());
		this.transactions.executeWithoutResult((status) -> {
			assertThat(this.store.storeAll(List.of(new Request(key, service.client().id(), "rolled back", null))))
				.singleElement()
				.satisfies((outcome) -> assertThat(outcome.sent().message().seq()).isEqualTo(1));
			status.setRollbackOnly();
		});
		assertThat(this.replica.bean(MessageHistory.class).bySeq(key, 0, 10)).isEmpty();
		assertThat(this.replica.bean(com.marketplace.chat.chats.ChatAccess.class).lastSeq(key)).isZero();
	}

	@Test
	void aBatchOfNewMessagesIsCommittedByTheStatementThatInsertsItWhereTheDriverTakesSeveral() {
		Chat service = Chats.serviceChat(this.replica);
		ChatKey key = new ChatKey(ChatKind.SERVICE, service.id());
		long client = service.client().id();
		WriterDatabase database = this.replica.bean(WriterDatabase.class);
		boolean along = database.multiStatements() && database.consecutiveIds();
		JdbcClient elsewhere = JdbcClient.create(this.replica.bean(DataSource.class));
		String count = "SELECT COUNT(*) FROM chat_messages WHERE chat_kind = 'service' AND chat_id = ?";
		// An outer transaction that the commit joins, so that the transaction manager
		// commits only after this callback: what another connection sees in it is what
		// the writer's own statements committed.
		long seenBeforeTheManagersCommit = this.transactions.execute((status) -> {
			assertThat(this.store
				.commit(List.of(new Request(key, client, "one", null), new Request(key, client, "two", null))))
				.allSatisfy((outcome) -> assertThat(outcome.sent()).isNotNull());
			return elsewhere.sql(count).param(service.id()).query(Long.class).single();
		});
		assertThat(seenBeforeTheManagersCommit).isEqualTo(along ? 2 : 0);

		// An edit follows the insert with statements of its own: the commit waits for
		// them, and for the transaction manager.
		ChatMessage one = this.replica.bean(MessageHistory.class).bySeq(key, 0, 1).get(0);
		long seenWithAnEdit = this.transactions.execute((status) -> {
			this.store.commit(List.of(edit(key, client, one, "one, edited"), new Request(key, client, "three", null)));
			return elsewhere.sql(count).param(service.id()).query(Long.class).single();
		});
		assertThat(seenWithAnEdit).isEqualTo(2);
		assertThat(this.replica.bean(MessageHistory.class).bySeq(key, 0, 10)).extracting(ChatMessage::content)
			.containsExactly("one, edited", "two", "one, edited", "three");
		assertThat(elsewhere.sql(count).param(service.id()).query(Long.class).single()).isEqualTo(4);
	}

	@Test
	void editsAndDeletesOfOneBatchLeaveEachMessageAsItsLastChangeAndCountEveryDelete() {
		Chat service = Chats.serviceChat(this.replica);
		ChatKey key = new ChatKey(ChatKind.SERVICE, service.id());
		long client = service.client().id();
		List<ChatMessage> sent = storeAll(
				List.of(new Request(key, client, "one", null), new Request(key, client, "two", null),
						new Request(key, client, "three", null), new Request(key, client, "four", null)))
			.stream()
			.map((outcome) -> outcome.sent().message())
			.toList();
		ChatUser master = new ChatUser(service.other().id(), Set.of("master"));
		ChatReads reads = this.replica.bean(ChatReads.class);
		reads.markRead(master, key, 4);
		reads.markRead(new ChatUser(client, Set.of()), key, 2);
		Chat support = Chats.supportChat(this.replica);
		ChatKey supportKey = new ChatKey(ChatKind.SUPPORT, support.id());
		ChatMessage help = storeAll(List.of(new Request(supportKey, support.client().id(), "help", null))).get(0)
			.sent()
			.message();
		reads.markRead(new ChatUser(support.other().id(), Set.of()), supportKey, 1);

		List<Outcome> outcomes = storeAll(List.of(edit(key, client, sent.get(0), "one, edited"), // 0
				delete(key, client, sent.get(0)), // 1: the edit's message, deleted after
													// it
				edit(key, client, sent.get(1), "two, first edit"), // 2
				edit(key, client, sent.get(1), "two, second edit"), // 3
				delete(key, client, sent.get(2)), // 4: never edited
				new Request(key, client, "five", null), // 5
				edit(key, client, sent.get(0), "one, after its delete"), // 6: refused
				delete(supportKey, support.client().id(), help))); // 7: another chat

		assertThat(outcomes.get(6).refusal()).isNotNull()
			.satisfies((refusal) -> assertThat(refusal.code()).isEqualTo("message_deleted"));
		Map<Long, ChatMessage> stored = new java.util.HashMap<>();
		this.replica.bean(MessageHistory.class)
			.bySeq(key, 0, 4)
			.forEach((message) -> stored.put(message.id(), message));
		// What each change announced is what the row holds after the commit: the last
		// change of each message wins, whatever order the batch applies them in.
		assertThat(stored.get(sent.get(0).id())).isEqualTo(outcomes.get(1).sent().changed());
		assertThat(stored.get(sent.get(0).id()).deleted()).isTrue();
		assertThat(stored.get(sent.get(0).id()).content()).isEmpty();
		assertThat(stored.get(sent.get(1).id())).isEqualTo(outcomes.get(3).sent().changed());
		assertThat(stored.get(sent.get(1).id()).content()).isEqualTo("two, second edit");
		assertThat(stored.get(sent.get(2).id())).isEqualTo(outcomes.get(4).sent().changed());
		assertThat(stored.get(sent.get(2).id()).editedAt()).isNull();
		assertThat(stored.get(sent.get(3).id())).isEqualTo(sent.get(3));
		// The master had read all four, two of them are gone and the fifth is new; the
		// client had read two, one of them gone; the agent's one message is gone.
		Map<Long, ChatReads.Read> serviceReads = reads.positions(ChatKind.SERVICE, List.of(service.id()))
			.get(service.id());
		assertThat(serviceReads.get(master.id())).isEqualTo(new ChatReads.Read(4, 2));
		assertThat(serviceReads.get(client)).isEqualTo(new ChatReads.Read(2, 1));
		assertThat(reads.positions(ChatKind.SUPPORT, List.of(support.id())).get(support.id()).get(support.other().id()))
			.isEqualTo(new ChatReads.Read(1, 0));
		assertThat(this.replica.bean(MessageHistory.class).bySeq(supportKey, 0, 1)).singleElement()
			.isEqualTo(outcomes.get(7).sent().changed());
	}

	private static Request edit(ChatKey chat, long senderId, ChatMessage target, String content) {
		return new Request(chat, senderId, ChatMessage.Kind.EDIT, target.id(), content, null);
	}

	private static Request delete(ChatKey chat, long senderId, ChatMessage target) {
		return new Request(chat, senderId, ChatMessage.Kind.DELETE, target.id(), "", null);
	}

	/** As the writers store a batch: in a transaction of its own, committed. */
	private List<Outcome> storeAll(List<Request> requests) {
		return this.store.commit(requests);
	}

	@Test
	void aFullGroupOfTheLongestMessagesFitsOneStatementOfTheDatabase() {
		MessageProperties limits = this.replica.bean(MessageProperties.class);
		Chat first = Chats.serviceChat(this.replica);
		Chat second = Chats.serviceChat(this.replica);
		// The longest content in the widest characters (4 bytes each in utf8mb4), the
		// longest client_message_id, as many as one commit takes: the insert carries
		// all of them, and the server's max_allowed_packet must hold it.
		String longest = "\uD83D\uDE00".repeat(limits.maxContentLength());
		List<Request> group = new ArrayList<>();
		for (int i = 0; i < limits.groupSize(); i++) {
			Chat chat = (i % 2 == 0) ? first : second;
			String id = String.format("%0" + MessageProperties.MAX_CLIENT_MESSAGE_ID_LENGTH + "d", i);
			group.add(new Request(new ChatKey(ChatKind.SERVICE, chat.id()), chat.client().id(), longest, id));
		}

		List<Outcome> outcomes = storeAll(group);

		assertThat(outcomes).hasSize(limits.groupSize())
			.allSatisfy((outcome) -> assertThat(outcome.sent()).isNotNull());
		ChatKey firstKey = new ChatKey(ChatKind.SERVICE, first.id());
		List<ChatMessage> stored = this.replica.bean(MessageHistory.class).bySeq(firstKey, 0, limits.groupSize());
		assertThat(stored).hasSize((limits.groupSize() + 1) / 2)
			.allSatisfy((message) -> assertThat(message.content()).isEqualTo(longest));
		assertThat(stored).extracting(ChatMessage::seq)
			.containsExactlyElementsOf(LongStream.rangeClosed(1, stored.size()).boxed().toList());
	}

	@Test
	void aGroupTooLargeForTheDatabasesPacketStopsStartUpNamingBoth() {
		MessageProperties defaults = this.replica.bean(MessageProperties.class);
		MessageProperties tooLarge = new MessageProperties(defaults.maxContentLength(), defaults.writers(), 1200,
				defaults.groupLinger(), defaults.commitTimeout(), defaults.editWindow());
		DataSource application = this.replica.bean(DataSource.class);
		long packet = JdbcClient.create(application).sql("SELECT @@max_allowed_packet").query(Long.class).single();
		assertThat(WriterDatabase.worstGroupBytes(tooLarge)).isGreaterThan(packet);
		assertThat(WriterDatabase.worstGroupBytes(defaults)).isLessThanOrEqualTo(packet);

		assertThatIllegalStateException().isThrownBy(() -> new WriterDatabase(application, tooLarge))
			.withMessageContaining("chat.message.group-size=1200")
			.withMessageContaining("max_allowed_packet of " + packet + " bytes");
	}

	@Test
	void namesTheEditWindowInTheUnitItWasGivenIn() {
		assertThat(BatchWriter.window(java.time.Duration.ofMinutes(15))).isEqualTo("15 minutes");
		assertThat(BatchWriter.window(java.time.Duration.ofMinutes(1))).isEqualTo("1 minute");
		assertThat(BatchWriter.window(java.time.Duration.ofSeconds(30))).isEqualTo("30 seconds");
		assertThat(BatchWriter.window(java.time.Duration.ofSeconds(90))).isEqualTo("90 seconds");
	}

}
