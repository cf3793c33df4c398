package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits and shutdown, on a third replica with small limits beside the shared two:
 * flooding, too many connections, a reader that never reads, and a graceful stop.
 */
class LimitsAndShutdownTests {

	private static Replica limited;

	private final Cluster cluster = Cluster.get();

	@BeforeAll
	static void startLimitedReplica() {
		Cluster.get();
		limited = Replica.start("limited",
				Map.of("chat.ws.message-rate", 2, "chat.ws.message-burst", 3, "chat.ws.flood-limit", 5,
						"chat.ws.max-connections", 4, "chat.ws.send-buffer-limit", "64KB", "chat.ws.send-time-limit",
						"2s"));
	}

	@AfterAll
	static void stopLimitedReplica() {
		limited.close();
	}

	@Test
	void refusesAFloodWithRateLimitedThenClosesWith1008WithoutDisturbingOthers() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient flooder = WsClient.connect(chat.wsUrl(limited, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			for (int i = 0; i < 3; i++) {
				flooder.sendMessage("burst " + i);
				expectType(flooder.next(), "ack");
			}
			flooder.sendMessage("one too many");
			assertThat(expectType(flooder.next(), "error").get("code").asString()).isEqualTo("rate_limited");
			try {
				for (int i = 0; i < 10 && flooder.isOpen(); i++) {
					flooder.sendMessage("flood " + i);
				}
			}
			catch (CompletionException closedWhileSending) {
				// the server closed the connection mid-flood, which is what this test wants
			}
			assertThat(flooder.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
			List<String> received = new ArrayList<>();
			master.drain(Duration.ofMillis(700)).forEach((frame) -> received.add(expectType(frame, "message").get("content").asString()));
			assertThat(received).as("only accepted messages were stored and delivered").containsExactly("burst 0", "burst 1", "burst 2");
			master.send("{\"type\":\"ping\"}");
			expectType(master.next(), "pong");
		}
	}

	@Test
	void answers503WhenTheReplicaIsFull() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		List<WsClient> open = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				open.add(WsClient.connect(chat.wsUrl(limited, chat.client())));
			}
			assertThat(WsClient.refusal(chat.wsUrl(limited, chat.other()), Map.of())).isEqualTo(503);
			try (WsClient elsewhere = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
				elsewhere.send("{\"type\":\"ping\"}");
				expectType(elsewhere.next(), "pong");
			}
		}
		finally {
			open.forEach(WsClient::close);
		}
	}

	@Test
	void closesAReaderThatNeverReadsWhileOthersKeepReceiving() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		MeterRegistry meters = limited.bean(MeterRegistry.class);
		double before = meters.counter("chat.ws.slow.reader.disconnects").count();
		String content = "x".repeat(3900);
		int messages = 2500;
		try (WsClient stalled = WsClient.connectStalled(chat.wsUrl(limited, chat.other()));
				WsClient reader = WsClient.connect(chat.wsUrl(limited, chat.other()));
				WsClient sender = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			long worstLagMillis = 0;
			int received = 0;
			for (int i = 0; i < messages; i++) {
				long sentAt = System.nanoTime();
				sender.sendMessage(content);
				expectType(sender.next(Duration.ofSeconds(10)), "ack");
				expectType(reader.next(Duration.ofSeconds(10)), "message");
				received++;
				worstLagMillis = Math.max(worstLagMillis, (System.nanoTime() - sentAt) / 1_000_000);
			}
			assertThat(received).isEqualTo(messages);
			System.out.printf("LimitsAndShutdownTests: %d messages of %d chars past a stalled reader; worst lag to the other reader %d ms%n",
					messages, content.length(), worstLagMillis);
			assertThat(worstLagMillis).as("the stalled reader adds no delay beyond 2 s to the others").isLessThan(2000);
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (meters.counter("chat.ws.slow.reader.disconnects").count() == before && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(meters.counter("chat.ws.slow.reader.disconnects").count()).isEqualTo(before + 1);
		}
	}

	@Test
	void aStoppingReplicaClosesWith1001AndItsClientsResumeElsewhereLosingNothing() throws InterruptedException {
		Replica draining = Replica.start("draining", Map.of());
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(draining, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			master.sendMessage("before");
			expectType(master.next(), "ack");
			long lastSeen = expectType(client.next(), "message").get("id").asLong();

			long stopping = System.nanoTime();
			Thread stopper = Thread.startVirtualThread(draining::close);
			assertThat(client.closeCode(Duration.ofSeconds(10))).isEqualTo(1001);
			for (int i = 0; i < 5; i++) {
				master.sendMessage("while away " + i);
				expectType(master.next(), "ack");
			}
			try (WsClient resumed = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()) + "&after_id=" + lastSeen)) {
				List<String> contents = new ArrayList<>();
				for (int i = 0; i < 5; i++) {
					contents.add(expectType(resumed.next(), "message").get("content").asString());
				}
				assertThat(contents).containsExactly("while away 0", "while away 1", "while away 2", "while away 3",
						"while away 4");
				assertThat(resumed.drain(Duration.ofMillis(500))).isEmpty();
			}
			stopper.join(Duration.ofSeconds(25));
			assertThat(draining.isRunning()).isFalse();
			System.out.printf("LimitsAndShutdownTests: replica stopped %d ms after the stop began%n",
					Duration.ofNanos(System.nanoTime() - stopping).toMillis());
			assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("stops within the drain time")
				.isLessThan(Duration.ofSeconds(20));
		}
		finally {
			draining.close();
		}
	}

}
