package com.marketplace.chat.message;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * seq is taken under the chat's row lock: no hole, no repeat, and id order equals seq
 * order.
 */
class ConcurrentSequenceTests {

	private static final int PER_SENDER = 100;

	private final Cluster cluster = Cluster.get();

	@Test
	void concurrentSendersOnTwoReplicasGetGaplessSeqInIdOrder() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()));
				WsClient receiverOnA = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient receiverOnB = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()));
				ExecutorService senders = Executors.newFixedThreadPool(2)) {
			CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> sendAll(client, "a"), senders);
			CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> sendAll(master, "b"), senders);
			CompletableFuture.allOf(fromA, fromB).join();

			List<Long> clientSaw = seqsOfMessages(client, PER_SENDER);
			List<Long> masterSaw = seqsOfMessages(master, PER_SENDER);
			assertThat(clientSaw).as("the client receives the master's messages in seq order").isSorted();
			assertThat(masterSaw).as("the master receives the client's messages in seq order").isSorted();
			List<Long> all = LongStream.rangeClosed(1, 2 * PER_SENDER).boxed().toList();
			for (WsClient receiver : List.of(receiverOnA, receiverOnB)) {
				List<Long> seen = new ArrayList<>();
				while (seen.size() < all.size()) {
					seen.add(expectType(receiver.next(Duration.ofSeconds(10)), "message").get("seq").asLong());
				}
				assertThat(seen).as("a receiver on each replica sees seq 1..n in order, no hole, no repeat")
					.containsExactlyElementsOf(all);
				assertThat(receiver.drain(Duration.ofMillis(200))).isEmpty();
			}
			System.out.printf("ConcurrentSequenceTests: %d messages from two replicas, received in order on both%n",
					all.size());
		}
		List<long[]> rows = new ArrayList<>();
		try (var connection = TestInfrastructure.get().openDatabase();
				Statement statement = connection.createStatement();
				ResultSet result = statement
					.executeQuery("SELECT id, seq FROM chat_messages WHERE chat_kind = 'service' AND chat_id = "
							+ chat.id() + " ORDER BY id")) {
			while (result.next()) {
				rows.add(new long[] { result.getLong(1), result.getLong(2) });
			}
		}
		assertThat(rows.stream().map((row) -> row[1]).toList()).as("seq in id order is 1..n without hole or repeat")
			.containsExactlyElementsOf(LongStream.rangeClosed(1, 2 * PER_SENDER).boxed().toList());
	}

	private static void sendAll(WsClient client, String prefix) {
		for (int i = 0; i < PER_SENDER; i++) {
			client.sendMessage(prefix + i);
		}
	}

	/**
	 * Reads frames until {@code expected} messages from the other side (and every ack)
	 * arrived.
	 */
	private static List<Long> seqsOfMessages(WsClient client, int expected) {
		List<Long> seqs = new ArrayList<>();
		int acks = 0;
		while (seqs.size() < expected || acks < PER_SENDER) {
			JsonNode frame = client.next(Duration.ofSeconds(10));
			switch (frame.get("type").asString()) {
				case "message" -> seqs.add(frame.get("seq").asLong());
				case "ack" -> acks++;
				default -> throw new AssertionError("unexpected frame " + expectType(frame, "message"));
			}
		}
		assertThat(client.drain(Duration.ofMillis(300))).as("nothing beyond the expected frames").isEmpty();
		return seqs;
	}

}
