package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import com.marketplace.chat.ws.StompWire.Frame;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every limit of the raw endpoints, on STOMP sessions: rate, frame size, token expiry,
 * shutdown.
 */
class StompLimitsTests {

	private static Replica limited;

	private final Cluster cluster = Cluster.get();

	@BeforeAll
	static void startLimitedReplica() {
		Cluster.get();
		limited = Replica.start("stomp-limited",
				Map.of("chat.ws.message-rate", 2, "chat.ws.message-burst", 3, "chat.ws.flood-limit", 5,
						"chat.ws.max-frame-size", 8192, "chat.ws.max-connections-per-user", 2,
						"chat.ws.send-buffer-limit", "64KB", "chat.ws.send-time-limit", "2s"));
	}

	@AfterAll
	static void stopLimitedReplica() {
		limited.close();
	}

	private String stompUrl(Replica replica) {
		return replica.wsUrl() + "/ws/stomp";
	}

	@Test
	void everyFrameCountsAgainstTheRateLimitAndAFloodCloses() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (StompWire wire = StompWire.connected(stompUrl(limited), chat.client().token())) {
			String app = "/app/service-chats." + chat.id();
			List<String> answers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				wire.sendTo(app, "{\"content\":\"burst " + i + "\"}", Map.of("receipt", "r" + i));
			}
			for (int i = 0; i < 4; i++) {
				Frame answer = wire.next();
				answers.add(answer.command() + ":" + answer.header("message"));
			}
			assertThat(answers).as("CONNECT took one of the burst of 3: two sends stored, two refused")
				.containsOnly("RECEIPT:null", "ERROR:rate_limited")
				.contains("RECEIPT:null", "ERROR:rate_limited");
			int sent = 0;
			try {
				for (; sent < 10; sent++) {
					wire.send("SUBSCRIBE", Map.of("id", "x" + sent, "destination", "/topic/service-chats." + chat.id()),
							"");
				}
			}
			catch (java.util.concurrent.CompletionException closedMidFlood) {
				// the server may close before the client is done flooding
			}
			assertThat(sent)
				.as("closed only once refusals in a row reached the flood limit (5, two of them the sends')")
				.isGreaterThanOrEqualTo(3);
			Frame last = null;
			for (Frame frame : wire.drain(Duration.ofMillis(500))) {
				last = frame;
			}
			assertThat(last).isNotNull();
			assertThat(last.header("message")).isEqualTo("flooding");
			assertThat(wire.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
		}
	}

	@Test
	void aSessionThatNeverReadsIsClosedWhileOtherSubscribersKeepReceiving() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		MeterRegistry meters = limited.bean(MeterRegistry.class);
		double before = meters.counter("chat.ws.slow.reader.disconnects", "protocol", "stomp").count();
		String topic = "/topic/service-chats." + chat.id();
		String content = "x".repeat(3900);
		try (WsClient stalled = WsClient.connectStalled(stompUrl(limited));
				StompWire reader = StompWire.connected(stompUrl(limited), chat.other().token());
				WsClient sender = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			stalled.send("CONNECT\naccept-version:1.2\nAuthorization:Bearer " + chat.other().token() + "\n\n\0");
			stalled.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\n\n\0");
			reader.subscribe("s", topic, Map.of("receipt", "sub"));
			reader.expect("RECEIPT");
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			int sent = 0;
			while (meters.counter("chat.ws.slow.reader.disconnects", "protocol", "stomp").count() == before
					&& System.nanoTime() < deadline) {
				sender.sendMessage(content);
				expectType(sender.next(Duration.ofSeconds(10)), "ack");
				assertThat(reader.expect("MESSAGE").header("seq")).isEqualTo(Integer.toString(++sent));
			}
			assertThat(meters.counter("chat.ws.slow.reader.disconnects", "protocol", "stomp").count())
				.as("the session that never reads is closed with 1013")
				.isEqualTo(before + 1);
			sender.sendMessage("after");
			expectType(sender.next(), "ack");
			assertThat(reader.expect("MESSAGE").json().get("content").asString()).as("the other subscriber goes on")
				.isEqualTo("after");
		}
	}

	/**
	 * Heart-beats as negotiated: 10 s both ways. The server sends them, and closes a
	 * session that promised them and then went silent for three intervals.
	 */
	@Test
	void aSessionThatStopsHeartBeatingIsClosedAndTheServerBeatsMeanwhile() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (StompWire wire = StompWire.open(stompUrl(this.cluster.b))) {
			wire.send("CONNECT", Map.of("accept-version", "1.2", "heart-beat", "10000,10000", "Authorization",
					"Bearer " + chat.client().token()), "");
			assertThat(wire.expect("CONNECTED").header("heart-beat")).isEqualTo("10000,10000");
			long started = System.nanoTime();
			assertThat(wire.closeCode(Duration.ofSeconds(45))).isEqualTo(1000);
			long silentSeconds = (System.nanoTime() - started) / 1_000_000_000L;
			assertThat(wire.closeReason()).isEqualTo("no heart-beat");
			assertThat(silentSeconds).as("three 10 s intervals of silence, give or take the 1 s check")
				.isBetween(29L, 33L);
			assertThat(wire.heartBeats()).as("the server beat every 10 s meanwhile").isGreaterThanOrEqualTo(2);
		}
	}

	@Test
	void aFrameOverTheLimitClosesWith1009() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (StompWire wire = StompWire.connected(stompUrl(limited), chat.client().token())) {
			wire.sendTo("/app/service-chats." + chat.id(), "{\"content\":\"" + "x".repeat(9000) + "\"}", Map.of());
			assertThat(wire.closeCode(Duration.ofSeconds(5))).isEqualTo(1009);
		}
	}

	@Test
	void theUsersSocketCapCountsStompSessionsToo() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient raw = WsClient.connect(chat.wsUrl(limited, chat.client()));
				StompWire second = StompWire.connected(stompUrl(limited), chat.client().token());
				StompWire third = StompWire.connect(stompUrl(limited), chat.client().token())) {
			assertThat(third.expect("ERROR").header("message")).isEqualTo("user_limit");
			assertThat(third.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
			assertThat(raw.isOpen()).isTrue();
		}
	}

	@Test
	void anExpiredTokenEndsTheSessionUnlessAFreshOneCameThroughAppAuth() throws InterruptedException {
		Chat chat = Chats.serviceChat(this.cluster.a);
		TestIssuer issuer = TestIssuer.get();
		String shortLived = issuer.token(chat.client().id(), TestIssuer.AUDIENCE, 2, "client");
		try (StompWire expiring = StompWire.connected(stompUrl(this.cluster.a), shortLived);
				StompWire refreshed = StompWire.connected(stompUrl(this.cluster.b), shortLived)) {
			refreshed.sendTo(StompHandler.AUTH_DESTINATION, "{\"token\":\"" + chat.client().token() + "\"}",
					Map.of("receipt", "fresh"));
			Frame receipt = refreshed.expect("RECEIPT");
			assertThat(receipt.header("receipt-id")).isEqualTo("fresh");
			assertThat(receipt.header("expires-at")).isNotBlank();
			refreshed.sendTo(StompHandler.AUTH_DESTINATION, "{\"token\":\"" + chat.other().token() + "\"}",
					Map.of("receipt", "other"));
			assertThat(refreshed.expect("ERROR").header("message")).as("another user's token")
				.isEqualTo("invalid_token");

			Frame expired = expiring.next(Duration.ofSeconds(8));
			assertThat(expired.command()).isEqualTo("ERROR");
			assertThat(expired.header("message")).isEqualTo("token_expired");
			assertThat(expiring.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);

			refreshed.sendTo("/app/service-chats." + chat.id(), "{\"content\":\"still here\"}", Map.of("receipt", "s"));
			assertThat(refreshed.expect("RECEIPT").header("seq")).isEqualTo("1");
		}
	}

	@Test
	void aStoppingReplicaClosesWith1001AndTheClientResumesOnAnotherLosingNothing() throws InterruptedException {
		Replica draining = Replica.start("stomp-draining", Map.of());
		Chat chat = Chats.serviceChat(this.cluster.a);
		String topic = "/topic/service-chats." + chat.id();
		Set<Long> seen = new HashSet<>();
		List<Long> seqs = new ArrayList<>();
		long lastId = 0;
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			Thread sender = Thread.ofVirtual().start(() -> {
				for (int i = 1; i <= 60; i++) {
					master.sendMessage("m" + i);
					try {
						Thread.sleep(10);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			try (StompWire wire = StompWire.connected(stompUrl(draining), chat.client().token())) {
				// after-id 0: every message of the chat, however many were sent before
				// this.
				wire.subscribe("s", topic, Map.of("after-id", "0"));
				Frame first = wire.expect("MESSAGE");
				seqs.add(Long.parseLong(first.header("seq")));
				lastId = first.json().get("id").asLong();
				Thread.ofVirtual().start(draining::close);
				for (Frame frame : wire.untilClosed(Duration.ofSeconds(20))) {
					if (frame.command().equals("MESSAGE")) {
						seqs.add(Long.parseLong(frame.header("seq")));
						lastId = frame.json().get("id").asLong();
					}
				}
				assertThat(wire.closeCode(Duration.ofSeconds(10))).isEqualTo(1001);
			}
			try (StompWire again = StompWire.connected(stompUrl(this.cluster.b), chat.client().token())) {
				again.subscribe("s", topic, Map.of("after-id", Long.toString(lastId)));
				sender.join();
				while (seqs.size() < 60) {
					Frame frame = again.expect("MESSAGE");
					seqs.add(Long.parseLong(frame.header("seq")));
				}
				assertThat(again.drain(Duration.ofMillis(300))).isEmpty();
			}
			for (int i = 0; i < 60; i++) {
				expectType(master.next(), "ack");
			}
		}
		seqs.forEach((seq) -> assertThat(seen.add(seq)).as("seq " + seq + " once").isTrue());
		assertThat(seqs).as("every message once, in order, across the move").isSorted().hasSize(60);
		assertThat(seqs.get(59)).isEqualTo(60);
	}

}
