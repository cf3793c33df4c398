package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent sends share commits, and one refused send never fails the others it shared a
 * commit with.
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
			List<java.util.concurrent.CompletableFuture<Committed>> warming = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				warming.add(messages.submit(new ChatKey(ChatKind.SERVICE, two.id()), two.client().id(), "warming " + i,
						null));
			}
			warming.forEach(java.util.concurrent.CompletableFuture::join);
			long commitsBefore = groups.count();
			double storedBefore = groups.totalAmount();
			var first = messages.submit(new ChatKey(ChatKind.SERVICE, one.id()), one.client().id(), "first", null);
			Thread.sleep(100);
			assertThat(first).as("still lingering for company").isNotDone();
			var second = messages.submit(new ChatKey(ChatKind.SERVICE, two.id()), two.other().id(), "second", null);
			assertThat(first.get().message().seq()).isEqualTo(1);
			assertThat(second.get().message().seq()).isEqualTo(21);
			assertThat(groups.count() - commitsBefore).as("one commit for both").isEqualTo(1);
			assertThat(groups.totalAmount() - storedBefore).isEqualTo(2.0);
		}
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
		long commits = groups.count() - commitsBefore;
		double stored = groups.totalAmount() - storedBefore;
		System.out.printf("GroupCommitTests: %.0f sends (half refused) in %d commits, %.1f per commit%n", stored,
				commits, stored / commits);
		assertThat(stored).isEqualTo(2.0 * chats.size() * perChat);
		assertThat(commits).as("sends shared commits").isLessThan((long) stored);
	}

}
