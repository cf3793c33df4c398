package com.marketplace.chat.ws;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import com.marketplace.chat.ws.StompWire.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.messaging.converter.SimpleMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * STOMP at {@code /ws/stomp} on the same pipeline as the raw endpoints: two replicas, a
 * STOMP client on one and a raw client on the other, the real database, Redis and issuer.
 */
class StompTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final Cluster cluster = Cluster.get();

	private static ThreadPoolTaskScheduler scheduler;

	private static WebSocketStompClient spring;

	@BeforeAll
	static void springClient() {
		scheduler = new ThreadPoolTaskScheduler();
		scheduler.setPoolSize(2);
		scheduler.setThreadNamePrefix("stomp-test-");
		scheduler.initialize();
		spring = new WebSocketStompClient(new StandardWebSocketClient());
		// Bodies are handed over as bytes, whatever their content type.
		spring.setMessageConverter(new SimpleMessageConverter());
		spring.setTaskScheduler(scheduler);
	}

	@AfterAll
	static void stopSpringClient() {
		scheduler.shutdown();
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void aSpringStompClientAndARawClientOnDifferentReplicasSeeTheSameMessagesInOrder(boolean stompOnA)
			throws Exception {
		Replica stompSide = stompOnA ? this.cluster.a : this.cluster.b;
		Replica rawSide = stompOnA ? this.cluster.b : this.cluster.a;
		Chat chat = Chats.serviceChat(this.cluster.a);
		String topic = "/topic/service-chats." + chat.id();
		SpringStomp phone = SpringStomp.connect(stompSide, chat.client().token());
		SpringStomp laptop = SpringStomp.connect(rawSide, chat.client().token());
		try (WsClient master = WsClient.connect(chat.wsUrl(rawSide, chat.other()))) {
			phone.subscribe(topic);
			laptop.subscribe(topic);
			assertThat(phone.connectedHeaders.getFirst("heart-beat")).isEqualTo("10000,10000");

			List<Long> ids = new ArrayList<>();
			for (int i = 1; i <= 5; i++) {
				master.sendMessage("raw " + i);
				ids.add(expectType(master.next(), "ack").get("id").asLong());
			}
			for (int i = 1; i <= 5; i++) {
				Received message = phone.next();
				assertThat(message.body().get("content").asString()).isEqualTo("raw " + i);
				assertThat(message.body().get("id").asLong()).isEqualTo(ids.get(i - 1));
				assertThat(message.body().get("seq").asLong()).isEqualTo(i);
				assertThat(message.body().get("sender_id").asLong()).isEqualTo(chat.other().id());
				assertThat(message.body().get("chat_id").asLong()).isEqualTo(chat.id());
				assertThat(message.body().get("created_at").asString())
					.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
				assertThat(message.headers().getFirst("seq")).isEqualTo(Integer.toString(i));
				assertThat(message.headers().getSubscription()).isEqualTo(phone.subscriptionId);
				assertThat(message.headers().getMessageId()).isNotBlank();
				assertThat(laptop.next().body().get("seq").asLong()).isEqualTo(i);
			}

			for (int i = 6; i <= 8; i++) {
				StompHeaders receipt = phone.send("/app/service-chats." + chat.id(),
						"{\"content\":\"stomp " + i + "\",\"client_message_id\":\"s-" + i + "\"}");
				assertThat(receipt.getFirst("seq")).isEqualTo(Integer.toString(i));
				assertThat(receipt.getFirst("client-message-id")).isEqualTo("s-" + i);
				JsonNode atMaster = expectType(master.next(), "message");
				assertThat(atMaster.get("content").asString()).isEqualTo("stomp " + i);
				assertThat(atMaster.get("seq").asLong()).isEqualTo(i);
				assertThat(atMaster.get("id").asString()).as("the receipt carries the stored id")
					.isEqualTo(receipt.getFirst("id"));
				Received onLaptop = laptop.next();
				assertThat(onLaptop.body().get("seq").asLong()).as("the sender's other session receives it")
					.isEqualTo(i);
			}
			assertThat(phone.drain(Duration.ofMillis(500))).as("nothing echoed to the sending session").isEmpty();
			assertThat(laptop.drain(Duration.ofMillis(100))).isEmpty();
			assertThat(master.drain(Duration.ofMillis(100))).isEmpty();
		}
		finally {
			phone.close();
			laptop.close();
		}
	}

	@Test
	void speaksStomp12WithTheTokenOfTheHandshakeAndOffersHeartBeats() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (StompWire wire = StompWire.open(this.cluster.a.wsUrl() + "/ws/stomp?token=" + chat.client().token())) {
			assertThat(wire.selectedSubprotocol()).isEqualTo("v12.stomp");
			wire.send("CONNECT", Map.of("accept-version", "1.1,1.2", "host", "chat", "heart-beat", "10000,10000"), "");
			Frame connected = wire.expect("CONNECTED");
			assertThat(connected.header("version")).isEqualTo("1.2");
			assertThat(connected.header("heart-beat")).isEqualTo("10000,10000");
			assertThat(connected.header("user-name")).isEqualTo(Long.toString(chat.client().id()));
		}
	}

	@Test
	void everyBadTokenIsAnErrorFrameAndTheClose() {
		long user = Chats.newUserId();
		TestIssuer issuer = TestIssuer.get();
		Map<String, String> tokens = new java.util.LinkedHashMap<>();
		tokens.put("no_token", null);
		tokens.put("invalid_token:expired", issuer.token(user, TestIssuer.AUDIENCE, -60, "client"));
		tokens.put("invalid_token:badly signed", issuer.badlySignedToken(user));
		tokens.put("invalid_token:wrong audience", issuer.token(user, "another-service", 600, "client"));
		tokens.put("invalid_token:no exp", issuer.tokenWithoutExpiry(user, "client"));
		tokens.forEach((expected, token) -> {
			try (StompWire wire = StompWire.connect(this.cluster.b.wsUrl() + "/ws/stomp", token)) {
				Frame error = wire.expect("ERROR");
				assertThat(error.header("message")).as(expected).isEqualTo(expected.split(":")[0]);
				assertThat(error.body()).isNotBlank();
				assertThat(wire.closeCode(WAIT)).as(expected).isEqualTo(1008);
			}
		});
		assertThat(WsClient.refusal(this.cluster.a.wsUrl() + "/ws/stomp", Map.of("Origin", "https://evil.example")))
			.as("the Origin allow-list applies to the STOMP handshake")
			.isEqualTo(403);
	}

	@Test
	void aStrangersSubscriptionAndSendAreRefusedAndTheSessionStaysUsable() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		Chat own = Chats.serviceChat(this.cluster.a);
		Party stranger = own.client();
		try (StompWire wire = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", stranger.token());
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			String topic = "/topic/service-chats." + chat.id();
			wire.subscribe("s1", topic, Map.of("receipt", "r1"));
			Frame refused = wire.expect("ERROR");
			assertThat(refused.header("message")).isEqualTo("forbidden");
			assertThat(refused.header("receipt-id")).isEqualTo("r1");
			assertThat(refused.body()).contains(topic);

			wire.sendTo("/app/service-chats." + chat.id(), "{\"content\":\"let me in\"}", Map.of("receipt", "r2"));
			Frame sendRefused = wire.expect("ERROR");
			assertThat(sendRefused.header("message")).isEqualTo("forbidden");
			assertThat(sendRefused.header("receipt-id")).isEqualTo("r2");

			wire.subscribe("s2", "/topic/service-chats." + own.id(), Map.of("receipt", "r3"));
			assertThat(wire.expect("RECEIPT").header("receipt-id")).isEqualTo("r3");
			assertThat(master.drain(Duration.ofMillis(300))).as("nothing reached the chat").isEmpty();
		}
	}

	@Test
	void badBodiesGetTheRawEndpointsErrorCodesAndStoreNothing() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String app = "/app/service-chats." + chat.id();
		try (StompWire wire = StompWire.connected(this.cluster.a.wsUrl() + "/ws/stomp", chat.client().token());
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			Map<String, String> cases = new java.util.LinkedHashMap<>();
			cases.put("not json", "invalid_json");
			cases.put("[1,2]", "invalid_json");
			cases.put("{}", "invalid_content");
			cases.put("{\"content\":\"   \"}", "invalid_content");
			cases.put("{\"content\":\"" + "x".repeat(4001) + "\"}", "content_too_long");
			cases.put("{\"content\":\"ok\",\"client_message_id\":\"" + "i".repeat(65) + "\"}",
					"invalid_client_message_id");
			cases.put("{\"content\":\"ok\",\"client_message_id\":7}", "invalid_client_message_id");
			cases.put("{\"content\":\"ok\"} {}", "invalid_json");
			cases.put("{\"type\":\"read\",\"seq\":-1}", "invalid_seq");
			cases.put("{\"type\":\"read\",\"seq\":1.5}", "invalid_seq");
			cases.put("{\"type\":\"delete\",\"id\":\"4\"}", "invalid_message_id");
			cases.put("{\"type\":\"edit\",\"id\":4}", "invalid_content");
			cases.put("{\"type\":5,\"content\":\"ok\"}", "unknown_type");
			int n = 0;
			for (Map.Entry<String, String> bad : cases.entrySet()) {
				wire.sendTo(app, bad.getKey(), Map.of("receipt", "bad-" + ++n));
				Frame error = wire.expect("ERROR");
				assertThat(error.header("message")).as(bad.getKey()).isEqualTo(bad.getValue());
				assertThat(error.header("receipt-id")).isEqualTo("bad-" + n);
			}
			wire.sendTo(app, "{\"content\":\"   \"}", Map.of("client-message-id", "blank-1"));
			Frame named = wire.expect("ERROR");
			assertThat(named.header("client-message-id")).as("a refused send names its id").isEqualTo("blank-1");
			wire.sendTo("/app/nowhere.1", "{\"content\":\"x\"}", Map.of());
			assertThat(wire.expect("ERROR").header("message")).isEqualTo("invalid_destination");

			wire.sendTo(app, "{\"content\":\"finally fine\"}", Map.of("receipt", "good"));
			Frame receipt = wire.expect("RECEIPT");
			assertThat(receipt.header("seq")).as("nothing was stored before").isEqualTo("1");
			assertThat(expectType(master.next(), "message").get("seq").asLong()).isEqualTo(1);
		}
	}

	@Test
	void resumesAfterAnIdAndARetryWithTheSameClientMessageIdIsStoredOnce() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
			List<Long> ids = new ArrayList<>();
			for (int i = 1; i <= 4; i++) {
				master.sendMessage("m" + i);
				ids.add(expectType(master.next(), "ack").get("id").asLong());
			}
			try (StompWire wire = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", chat.client().token())) {
				wire.subscribe("s", "/topic/service-chats." + chat.id(), Map.of("after-id", ids.get(1).toString()));
				assertThat(wire.expect("MESSAGE").json().get("content").asString()).isEqualTo("m3");
				assertThat(wire.expect("MESSAGE").json().get("content").asString()).isEqualTo("m4");
				master.sendMessage("m5");
				expectType(master.next(), "ack");
				Frame live = wire.expect("MESSAGE");
				assertThat(live.json().get("content").asString()).isEqualTo("m5");
				assertThat(live.header("seq")).isEqualTo("5");

				String app = "/app/service-chats." + chat.id();
				wire.sendTo(app, "{\"content\":\"once\"}", Map.of("client-message-id", "retry-1", "receipt", "a"));
				Frame first = wire.expect("RECEIPT");
				wire.sendTo(app, "{\"content\":\"once\"}", Map.of("client-message-id", "retry-1", "receipt", "b"));
				Frame second = wire.expect("RECEIPT");
				assertThat(second.header("id")).isEqualTo(first.header("id"));
				assertThat(second.header("seq")).isEqualTo("6");
				assertThat(expectType(master.next(), "message").get("seq").asLong()).isEqualTo(6);
				assertThat(master.drain(Duration.ofMillis(500))).as("the retry was not stored again").isEmpty();
				assertThat(wire.drain(Duration.ofMillis(100))).isEmpty();

				wire.send("DISCONNECT", Map.of("receipt", "bye"), "");
				assertThat(wire.expect("RECEIPT").header("receipt-id")).isEqualTo("bye");
				assertThat(wire.closeCode(WAIT)).isEqualTo(1000);
			}
		}
	}

	@Test
	void aReassignedAgentsStompSessionIsClosedAndHearsNothingMore() {
		Chat chat = Chats.supportChat(this.cluster.a);
		Party admin = Party.newUser("admin");
		Party next = Party.newUser("support");
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				StompWire agent = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", chat.other().token())) {
			agent.subscribe("s", "/topic/support-chats." + chat.id(), Map.of("receipt", "sub"));
			agent.expect("RECEIPT");
			client.sendMessage("before");
			expectType(client.next(), "ack");
			assertThat(agent.expect("MESSAGE").json().get("content").asString()).isEqualTo("before");

			assertThat(Rest
				.post(this.cluster.a, chat.apiPath() + "/assignee", admin.token(), Map.of("support_id", next.id()))
				.status()).isEqualTo(200);
			assertThat(agent.closeCode(WAIT)).isEqualTo(1008);
			client.sendMessage("after");
			expectType(client.next(), "ack");
			assertThat(agent.drain(Duration.ofMillis(300))).as("nothing after the reassignment").isEmpty();
		}
	}

	/** A message as Spring's STOMP client hands it over. */
	record Received(StompHeaders headers, JsonNode body) {
	}

	/** Spring's {@link WebSocketStompClient}, as a JVM service would use it. */
	static final class SpringStomp {

		final StompSession session;

		final StompHeaders connectedHeaders;

		final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();

		String subscriptionId;

		private SpringStomp(StompSession session, StompHeaders connectedHeaders) {
			this.session = session;
			this.connectedHeaders = connectedHeaders;
		}

		static SpringStomp connect(Replica replica, String token) throws Exception {
			StompHeaders connect = new StompHeaders();
			connect.add("Authorization", "Bearer " + token);
			connect.setHeartbeat(new long[] { 10_000, 10_000 });
			java.util.concurrent.CompletableFuture<StompHeaders> connected = new java.util.concurrent.CompletableFuture<>();
			StompSession session = spring.connectAsync(replica.wsUrl() + "/ws/stomp", new WebSocketHttpHeaders(),
					connect, new StompSessionHandlerAdapter() {

						@Override
						public void afterConnected(StompSession session, StompHeaders headers) {
							connected.complete(headers);
						}

					})
				.get(10, TimeUnit.SECONDS);
			session.setAutoReceipt(true);
			// The session's future completes just before the handler hears of CONNECTED.
			return new SpringStomp(session, connected.get(10, TimeUnit.SECONDS));
		}

		void subscribe(String destination) throws Exception {
			BlockingQueue<StompHeaders> receipt = new LinkedBlockingQueue<>();
			StompSession.Subscription subscription = this.session.subscribe(destination, new StompFrameHandler() {

				@Override
				public Type getPayloadType(StompHeaders headers) {
					return byte[].class;
				}

				@Override
				public void handleFrame(StompHeaders headers, Object payload) {
					JsonNode body = WsClient.JSON.readTree((byte[]) payload);
					if (body.path("type").asString("").equals("presence")) {
						return;
					}
					SpringStomp.this.messages.add(new Received(headers, body));
				}

			});
			subscription.addReceiptTask(receipt::add);
			this.subscriptionId = subscription.getSubscriptionId();
			assertThat(receipt.poll(10, TimeUnit.SECONDS)).as("the subscription's receipt").isNotNull();
		}

		/** Sends and waits for the receipt, which comes after the commit. */
		StompHeaders send(String destination, String json) throws Exception {
			BlockingQueue<StompHeaders> receipt = new LinkedBlockingQueue<>();
			StompHeaders headers = new StompHeaders();
			headers.setDestination(destination);
			headers.setContentType(org.springframework.util.MimeTypeUtils.APPLICATION_JSON);
			this.session.send(headers, json.getBytes(java.nio.charset.StandardCharsets.UTF_8))
				.addReceiptTask(receipt::add);
			StompHeaders answer = receipt.poll(10, TimeUnit.SECONDS);
			assertThat(answer).as("a receipt for " + json).isNotNull();
			return answer;
		}

		Received next() throws InterruptedException {
			Received message = this.messages.poll(10, TimeUnit.SECONDS);
			assertThat(message).as("a MESSAGE frame").isNotNull();
			return message;
		}

		List<Received> drain(Duration quiet) throws InterruptedException {
			List<Received> all = new ArrayList<>();
			Received message;
			while ((message = this.messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
				all.add(message);
			}
			return all;
		}

		void close() {
			if (this.session.isConnected()) {
				this.session.disconnect();
			}
		}

	}

}
