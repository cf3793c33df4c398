package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.RawHandshake;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
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
				Map.ofEntries(Map.entry("chat.ws.message-rate", 2), Map.entry("chat.ws.message-burst", 3),
						Map.entry("chat.ws.flood-limit", 5), Map.entry("chat.ws.max-connections", 4),
						Map.entry("chat.ws.max-connections-per-user", 2),
						Map.entry("chat.ws.send-buffer-limit", "64KB"), Map.entry("chat.ws.send-time-limit", "2s"),
						Map.entry("chat.ws.compression", true), Map.entry("chat.rest.send-burst", 3),
						Map.entry("chat.rest.sends-per-minute", 6), Map.entry("chat.rest.creation-burst", 2),
						Map.entry("chat.rest.creations-per-minute", 1)));
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
			flood(flooder, "{\"type\":\"message\",\"content\":\"flood\"}");
			assertThat(flooder.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
			List<String> received = new ArrayList<>();
			master.drain(Duration.ofMillis(700))
				.forEach((frame) -> received.add(expectType(frame, "message").get("content").asString()));
			assertThat(received).as("only accepted messages were stored and delivered")
				.containsExactly("burst 0", "burst 1", "burst 2");
			master.send("{\"type\":\"ping\"}");
			expectType(master.next(), "pong");
		}
	}

	@Test
	void pingsAuthsAndInvalidFramesCountAgainstTheRateLimitToo() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient flooder = WsClient.connect(chat.wsUrl(limited, chat.client()))) {
			for (int i = 0; i < 3; i++) {
				flooder.send("{\"type\":\"ping\"}");
				expectType(flooder.next(), "pong");
			}
			flooder.send("{\"type\":\"ping\"}");
			assertThat(expectType(flooder.next(), "error").get("code").asString()).isEqualTo("rate_limited");
			flooder.sendJson(Map.of("type", "auth", "token", chat.client().token()));
			assertThat(expectType(flooder.next(), "error").get("code").asString()).isEqualTo("rate_limited");
			flood(flooder, "not json");
			assertThat(flooder.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
			assertThat(flooder.closeReason()).isEqualTo("flooding");
		}
	}

	/**
	 * Sends the frame ten times, or until the server has closed the connection mid-flood.
	 */
	private static void flood(WsClient flooder, String frame) {
		try {
			for (int i = 0; i < 10 && flooder.isOpen(); i++) {
				flooder.send(frame);
			}
		}
		catch (CompletionException closedWhileSending) {
			// closed mid-flood, as it should be
		}
	}

	@Test
	void capsTheSocketsOfOneUserWith429AndLetsOthersIn() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient first = WsClient.connect(chat.wsUrl(limited, chat.client()));
				WsClient second = WsClient.connect(chat.wsUrl(limited, chat.client()))) {
			assertThat(WsClient.refusal(chat.wsUrl(limited, chat.client()), Map.of())).as("a third socket")
				.isEqualTo(429);
			try (WsClient other = WsClient.connect(chat.wsUrl(limited, chat.other()))) {
				other.send("{\"type\":\"ping\"}");
				expectType(other.next(), "pong");
			}
			second.close();
			assertThat(second.closeCode(Duration.ofSeconds(5))).isEqualTo(1000);
			WsClient again = awaitAccepted(chat.wsUrl(limited, chat.client()));
			again.close();
		}
		Chat refusedChat = Chats.serviceChat(this.cluster.a);
		for (int i = 0; i < 3; i++) {
			assertThat(WsClient.refusal(refusedChat.wsUrl(limited, chat.client()), Map.of()))
				.as("refused handshakes hold no socket")
				.isEqualTo(403);
		}
		try (WsClient first = WsClient.connect(chat.wsUrl(limited, chat.client()));
				WsClient second = WsClient.connect(chat.wsUrl(limited, chat.client()))) {
			assertThat(first.isOpen() && second.isOpen()).isTrue();
		}
	}

	/**
	 * The server counts a closed socket when its close has been handled, a moment after
	 * the client sees it.
	 */
	private static WsClient awaitAccepted(String url) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (true) {
			try {
				return WsClient.connect(url);
			}
			catch (WsClient.Refused refused) {
				if (refused.status != 429 || System.nanoTime() > deadline) {
					throw refused;
				}
			}
		}
	}

	@Test
	void resumesALongChatInPagesWithoutClosingAReaderThatKeepsUp() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String content = "r".repeat(3000);
		int messages = 400;
		try (WsClient sender = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			for (int i = 0; i < messages; i++) {
				sender.sendMessage(content + i);
				expectType(sender.next(Duration.ofSeconds(10)), "ack");
			}
		}
		// 400 messages of 3000 characters are 1.2 million characters: far over the
		// limited replica's 64 KB send buffer if replayed in one go.
		try (WsClient resumed = WsClient.connect(chat.wsUrl(limited, chat.client()) + "&after_id=0");
				WsClient sender = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			sender.sendMessage("live");
			expectType(sender.next(), "ack");
			List<Long> seqs = new ArrayList<>();
			for (int i = 0; i <= messages; i++) {
				seqs.add(expectType(resumed.next(Duration.ofSeconds(10)), "message").get("seq").asLong());
			}
			assertThat(seqs).as("every message once, in order, then the live one")
				.containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, messages + 1).boxed().toList());
			assertThat(resumed.drain(Duration.ofMillis(500))).isEmpty();
			assertThat(resumed.isOpen()).isTrue();
		}
	}

	@Test
	void negotiatesCompressionOnlyWhereItIsTurnedOn() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		RawHandshake.Answer answer = RawHandshake.send(limited, chat.wsPath() + "?token=" + chat.client().token(),
				Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
		assertThat(answer.status()).isEqualTo(101);
		assertThat(answer.header("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
	}

	@Test
	void limitsRestSendsAndChatCreationPerUserWith429AndRetryAfter() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		for (int i = 0; i < 3; i++) {
			assertThat(
					Rest.post(limited, chat.apiPath() + "/messages", chat.client().token(), Map.of("content", "m" + i))
						.status())
				.isEqualTo(201);
		}
		Rest.Response limitedSend = Rest.post(limited, chat.apiPath() + "/messages", chat.client().token(),
				Map.of("content", "one too many"));
		assertThat(limitedSend.status()).isEqualTo(429);
		assertThat(limitedSend.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 10L));
		assertThat(limitedSend.body().get("status").asInt()).isEqualTo(429);
		assertThat(
				Rest.post(limited, chat.apiPath() + "/messages", chat.other().token(), Map.of("content", "other user"))
					.status())
			.as("another user has a bucket of their own")
			.isEqualTo(201);
		Rest.Response history = Rest.get(this.cluster.b, chat.apiPath() + "/messages", chat.other().token());
		assertThat(history.body()).as("the refused send stored nothing").hasSize(4);

		Chats.Party client = Chats.Party.newUser("client");
		for (int i = 0; i < 2; i++) {
			assertThat(Rest.post(limited, "/api/support-chats", client.token(), Map.of()).status()).isEqualTo(201);
		}
		Rest.Response limitedCreate = Rest.post(limited, "/api/support-chats", client.token(), Map.of());
		assertThat(limitedCreate.status()).isEqualTo(429);
		assertThat(limitedCreate.headers().firstValue("Retry-After")).isPresent();

		Chats.Party backend = Chats.Party.newUser("admin");
		for (int i = 0; i < 5; i++) {
			assertThat(
					Rest.post(limited, "/api/support-chats", backend.token(), Map.of("client_id", Cluster.newUserId()))
						.status())
				.as("the marketplace backend's admin token is not limited")
				.isEqualTo(201);
		}
	}

	@Test
	void refusesABodyLargerThanAnyRequestBeforeReadingItAndAcceptsTheLargestMessage() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		long started = System.nanoTime();
		int status = Rest.postRaw(limited, chat.apiPath() + "/messages", null, new byte[64 * 1024], 90L * 1024 * 1024);
		System.out.printf("LimitsAndShutdownTests: a body announced as 90 MiB was refused with %d after %d ms%n",
				status, (System.nanoTime() - started) / 1_000_000);
		assertThat(status).as("refused by its announced length, before authentication").isEqualTo(413);
		assertThat(Rest.postRaw(limited, chat.apiPath() + "/messages", chat.client().token(), new byte[200_000], null))
			.as("a chunked body is read only up to the limit")
			.isEqualTo(413);

		// The largest legitimate body: 4000 emoji, each written as two escaped JSON
		// halves.
		String json = "{\"content\":\"" + "\\ud83d\\ude00".repeat(4000) + "\",\"client_message_id\":\"" + "k".repeat(64)
				+ "\"}";
		byte[] body = json.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		assertThat(Rest.postRaw(limited, chat.apiPath() + "/messages", chat.client().token(), body, (long) body.length))
			.isEqualTo(201);
		assertThat(Rest.postRaw(limited, chat.apiPath() + "/messages", chat.client().token(),
				json.replace("\"k", "\"j").getBytes(java.nio.charset.StandardCharsets.US_ASCII), null))
			.as("the same, chunked")
			.isEqualTo(201);
	}

	@Test
	void answers503WhenTheReplicaIsFull() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		Chat another = Chats.serviceChat(this.cluster.a);
		List<WsClient> open = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				open.add(WsClient.connect(chat.wsUrl(limited, chat.client())));
				open.add(WsClient.connect(chat.wsUrl(limited, chat.other())));
			}
			assertThat(WsClient.refusal(another.wsUrl(limited, another.other()), Map.of())).isEqualTo(503);
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
		double before = meters.counter("chat.ws.slow.reader.disconnects", "protocol", "raw").count();
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
			System.out.printf(
					"LimitsAndShutdownTests: %d messages of %d chars past a stalled reader; worst lag to the other reader %d ms%n",
					messages, content.length(), worstLagMillis);
			assertThat(worstLagMillis).as("the stalled reader adds no delay beyond 2 s to the others").isLessThan(2000);
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (meters.counter("chat.ws.slow.reader.disconnects", "protocol", "raw").count() == before
					&& System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(meters.counter("chat.ws.slow.reader.disconnects", "protocol", "raw").count())
				.isEqualTo(before + 1);
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
			try (WsClient resumed = WsClient
				.connect(chat.wsUrl(this.cluster.b, chat.client()) + "&after_id=" + lastSeen)) {
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
