package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.system.OffPathMeters;
import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.TransactionTimedOutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Concurrent sends share commits, one refused send never fails the others it shared a
 * commit with, and a full writer refuses at once and loses nothing it accepted.
 */
class GroupCommitTests {

	@Test
	void aWriterLingersForMoreSendsAndCommitsThemTogether() throws Exception {
		Cluster.get();
		try (Replica replica = Replica.start("linger", Map.of("chat.message.group-linger", "300ms"))) {
			Messages messages = replica.bean(Messages.class);
			DistributionSummary groups = replica.bean(MeterRegistry.class).summary("chat.message.commit.group");
			Chat one = Chats.serviceChat(replica);
			Chat two = Chats.serviceChat(replica);
			// Sends arriving faster than one per linger: only then does a writer wait.
			sendTwentyAtOnce(messages, new ChatKey(ChatKind.SERVICE, two.id()), two.client().id());
			OffPathMeters meters = replica.bean(OffPathMeters.class);
			meters.drain();
			long commitsBefore = groups.count();
			double storedBefore = groups.totalAmount();
			var first = messages.submit(new ChatKey(ChatKind.SERVICE, one.id()), one.client().id(), "first", null);
			Thread.sleep(100);
			assertThat(first).as("still lingering for company").isNotDone();
			var second = messages.submit(new ChatKey(ChatKind.SERVICE, two.id()), two.other().id(), "second", null);
			assertThat(first.get().message().seq()).isEqualTo(1);
			assertThat(second.get().message().seq()).isEqualTo(21);
			meters.drain();
			assertThat(groups.count() - commitsBefore).as("one commit for both").isEqualTo(1);
			assertThat(groups.totalAmount() - storedBefore).isEqualTo(2.0);
		}
	}

	@Test
	void theSendThatFillsTheGroupEndsTheLingerAtOnce() throws Exception {
		Cluster.get();
		try (Replica replica = Replica.start("linger-full",
				Map.of("chat.message.group-linger", "1s", "chat.message.group-size", "3"))) {
			Messages messages = replica.bean(Messages.class);
			DistributionSummary groups = replica.bean(MeterRegistry.class).summary("chat.message.commit.group");
			Chat chat = Chats.serviceChat(replica);
			ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
			sendTwentyAtOnce(messages, key, chat.client().id());
			OffPathMeters meters = replica.bean(OffPathMeters.class);
			meters.drain();
			long commitsBefore = groups.count();
			var first = messages.submit(key, chat.client().id(), "first", null);
			Thread.sleep(100);
			assertThat(first).as("lingering for company").isNotDone();
			var second = messages.submit(key, chat.other().id(), "second", null);
			var third = messages.submit(key, chat.client().id(), "third", null);
			// The linger would last until 900 ms from now; the third send fills the
			// group.
			assertThat(first.get(500, TimeUnit.MILLISECONDS).message().seq()).isEqualTo(21);
			assertThat(second.get().message().seq()).isEqualTo(22);
			assertThat(third.get().message().seq()).isEqualTo(23);
			meters.drain();
			assertThat(groups.count() - commitsBefore).as("one commit for the three").isEqualTo(1);
		}
	}

	/** Twenty sends, all submitted before the first is stored, then waited for. */
	private static void sendTwentyAtOnce(Messages messages, ChatKey key, long sender) {
		List<CompletableFuture<Committed>> sends = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			sends.add(messages.submit(key, sender, "warming " + i, null));
		}
		sends.forEach(CompletableFuture::join);
	}

	@Test
	void concurrentSendsShareCommitsWithoutAffectingEachOther() throws Exception {
		Replica replica = Cluster.get().a;
		Messages messages = replica.bean(Messages.class);
		DistributionSummary groups = replica.bean(MeterRegistry.class).summary("chat.message.commit.group");
		List<Chat> chats = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			chats.add(Chats.serviceChat(replica));
		}
		OffPathMeters meters = replica.bean(OffPathMeters.class);
		meters.drain();
		long commitsBefore = groups.count();
		double storedBefore = groups.totalAmount();
		Map<Long, List<Long>> seqsByChat = new ConcurrentHashMap<>();
		AtomicInteger refused = new AtomicInteger();
		int perChat = 40;
		try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<?>> sends = new ArrayList<>();
			for (Chat chat : chats) {
				ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
				for (int i = 0; i < perChat; i++) {
					long sender = (i % 2 == 0) ? chat.client().id() : chat.other().id();
					int n = i;
					sends.add(senders.submit(() -> {
						Committed sent = messages.send(key, sender, "m" + n, null);
						seqsByChat.computeIfAbsent(chat.id(), (id) -> new java.util.concurrent.CopyOnWriteArrayList<>())
							.add(sent.message().seq());
					}));
					sends.add(senders.submit(() -> {
						try {
							messages.send(key, Cluster.newUserId(), "intruder", null);
						}
						catch (ChatAccessDeniedException expected) {
							refused.incrementAndGet();
						}
					}));
				}
			}
			for (Future<?> send : sends) {
				send.get();
			}
		}
		assertThat(refused).as("every intruder refused").hasValue(chats.size() * perChat);
		for (Chat chat : chats) {
			assertThat(seqsByChat.get(chat.id())).as("chat " + chat.id() + " got every message, seq without hole")
				.containsExactlyInAnyOrderElementsOf(
						java.util.stream.LongStream.rangeClosed(1, perChat).boxed().toList());
		}
		meters.drain();
		long commits = groups.count() - commitsBefore;
		double stored = groups.totalAmount() - storedBefore;
		System.out.printf("GroupCommitTests: %.0f sends (half refused) in %d commits, %.1f per commit%n", stored,
				commits, stored / commits);
		assertThat(stored).isEqualTo(2.0 * chats.size() * perChat);
		assertThat(commits).as("sends shared commits").isLessThan((long) stored);
	}

	/**
	 * A writer whose queue is full refuses the next send at once, with a clear error, and
	 * loses none of those it accepted: they are stored, in order, once the database
	 * answers again.
	 */
	@Test
	void aFullWriterRefusesAtOnceAndStoresEverySendItAccepted() throws Exception {
		Cluster.get();
		try (Replica replica = Replica.start("full-writer",
				Map.of("chat.message.writers", "1", "chat.message.commit-timeout", "60s"))) {
			Messages messages = replica.bean(Messages.class);
			Chat chat = Chats.serviceChat(replica);
			ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
			List<CompletableFuture<Committed>> accepted = new ArrayList<>();
			CompletableFuture<Committed> refused;
			try (java.sql.Connection blocker = lockChatRow(replica, chat)) {
				// The writer takes the first send and waits for the chat's row; the rest
				// queue behind it.
				accepted.add(messages.submit(key, chat.client().id(), "m1", null));
				awaitLockWait(blocker, accepted.get(0));
				for (int i = 2; i <= GroupCommitter.QUEUE_CAPACITY + 1; i++) {
					accepted.add(messages.submit(key, chat.client().id(), "m" + i, null));
				}
				refused = messages.submit(key, chat.client().id(), "one too many", null);
				assertThat(refused).as("refused at once, not after a timeout").isCompletedExceptionally();
				assertThat(accepted).noneMatch(CompletableFuture::isDone);
				blocker.rollback();
			}
			assertThatThrownBy(refused::join).hasCauseInstanceOf(TransactionTimedOutException.class)
				.hasMessageContaining("writers are full");
			List<Long> seqs = new ArrayList<>();
			for (CompletableFuture<Committed> send : accepted) {
				seqs.add(send.get(60, TimeUnit.SECONDS).message().seq());
			}
			assertThat(seqs).as("every accepted send stored, in the order sent")
				.isEqualTo(LongStream.rangeClosed(1, GroupCommitter.QUEUE_CAPACITY + 1).boxed().toList());
		}
	}

	/**
	 * A batch of messages whose chat another session keeps locked fails within the commit
	 * timeout and stores nothing; the writer's locking read carries no timeout prefix of
	 * the driver's (the session's {@code max_statement_time} bounds it to half the
	 * timeout), and the chat takes the next message at the seq it would have had.
	 */
	@Test
	void aChatLockedPastTheCommitTimeoutFailsTheBatchWithinItAndStoresNothing() throws Exception {
		Cluster.get();
		try (Replica replica = Replica.start("lock-bound",
				Map.of("chat.message.writers", "1", "chat.message.commit-timeout", "2s"))) {
			Messages messages = replica.bean(Messages.class);
			Chat chat = Chats.serviceChat(replica);
			ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
			try (java.sql.Connection blocker = lockChatRow(replica, chat)) {
				long started = System.nanoTime();
				CompletableFuture<Committed> send = messages.submit(key, chat.client().id(), "locked out", null);
				String waiting = awaitLockWait(blocker, send);
				assertThat(waiting).as("the locking read as the writer sent it").startsWithIgnoringCase("SELECT");
				assertThatThrownBy(() -> send.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
				long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				System.out.printf("GroupCommitTests: a locked chat failed its send after %d ms (%s)%n", waited,
						send.exceptionNow());
				assertThat(waited).as("the lock waited for, half the commit timeout, and no longer than it")
					.isBetween(900L, 1999L);
				try (var count = blocker
					.prepareStatement("SELECT COUNT(*) FROM chat_messages WHERE chat_kind = ? AND chat_id = ?")) {
					count.setString(1, "service");
					count.setLong(2, chat.id());
					try (var rows = count.executeQuery()) {
						rows.next();
						assertThat(rows.getInt(1)).as("nothing stored").isZero();
					}
				}
				blocker.rollback();
			}
			assertThat(messages.send(key, chat.client().id(), "after", null).message().seq()).isEqualTo(1);
		}
	}

	/**
	 * A connection of the application's pool whose open transaction holds the chat's row.
	 */
	private static java.sql.Connection lockChatRow(Replica replica, Chat chat) throws java.sql.SQLException {
		java.sql.Connection blocker = replica.bean(javax.sql.DataSource.class).getConnection();
		blocker.setAutoCommit(false);
		try (var lock = blocker.prepareStatement("SELECT id FROM service_chats WHERE id = ? FOR UPDATE")) {
			lock.setLong(1, chat.id());
			lock.executeQuery().close();
		}
		return blocker;
	}

	/**
	 * Waits until the writer's locking read of the chat's row runs in another session
	 * (MariaDB shows it in the process list while it waits, in InnoDB's transaction list
	 * not always).
	 * @return the statement as the process list shows it
	 */
	private static String awaitLockWait(java.sql.Connection connection, CompletableFuture<Committed> first)
			throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			try (var waiting = connection.prepareStatement("SELECT info FROM information_schema.PROCESSLIST"
					+ " WHERE id <> CONNECTION_ID() AND db = DATABASE() AND info LIKE '%service_chats%FOR UPDATE%'");
					var rows = waiting.executeQuery()) {
				if (rows.next()) {
					return rows.getString(1);
				}
			}
			Thread.sleep(20);
		}
		throw new AssertionError("the writer never waited for the chat's row; first send: " + first);
	}

}
