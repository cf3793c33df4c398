package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import com.marketplace.chat.ws.StompWire.Frame;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** Read receipts, unread counts and typing, across two replicas, raw and STOMP. */
class ReadsAndTypingTests {

	private final Cluster cluster = Cluster.get();

	@Test
	void aReadPositionReachesTheOtherSideNeverMovesBackAndShowsInTheViews() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			for (int i = 1; i <= 3; i++) {
				master.sendMessage("m" + i);
				expectType(master.next(), "ack");
				expectType(client.next(), "message");
			}
			assertThat(unreadOf(chat, chat.client().token())).isEqualTo(3);

			client.sendJson(Map.of("type", "read", "seq", 2));
			JsonNode atMaster = expectType(master.next(), "read");
			assertThat(atMaster.get("user_id").asLong()).isEqualTo(chat.client().id());
			assertThat(atMaster.get("seq").asLong()).isEqualTo(2);
			assertThat(expectType(client.next(), "read").get("seq").asLong()).as("the reader learns what was stored")
				.isEqualTo(2);

			client.sendJson(Map.of("type", "read", "seq", 1));
			assertThat(expectType(client.next(), "read").get("seq").asLong()).as("never backwards").isEqualTo(2);
			assertThat(master.drain(Duration.ofMillis(300))).as("nothing moved, nothing to tell").isEmpty();

			client.sendJson(Map.of("type", "read", "seq", 99));
			assertThat(expectType(master.next(), "read").get("seq").asLong()).as("never past last_seq").isEqualTo(3);
			expectType(client.next(), "read");

			client.sendJson(Map.of("type", "read", "seq", -1));
			assertThat(expectType(client.next(), "error").get("code").asString()).isEqualTo("invalid_seq");
			client.sendJson(Map.of("type", "read", "seq", "2"));
			assertThat(expectType(client.next(), "error").get("code").asString()).isEqualTo("invalid_seq");

			assertThat(unreadOf(chat, chat.client().token())).isZero();
			JsonNode view = Rest.get(this.cluster.b, chat.apiPath(), chat.other().token()).body();
			assertThat(view.get("unread_count").asLong()).as("the master's own messages, unread by them").isEqualTo(3);
			JsonNode clientParticipant = view.get("participants").get(0);
			assertThat(clientParticipant.get("user_id").asLong()).isEqualTo(chat.client().id());
			assertThat(clientParticipant.get("last_read_seq").asLong()).isEqualTo(3);
			assertThat(view.get("participants").get(1).get("last_read_seq").asLong()).isZero();
		}
	}

	@Test
	void unreadCountsFollowSendsAndReadsOverRest() {
		Chat first = Chats.serviceChat(this.cluster.a);
		String master = first.other().token();
		for (int i = 0; i < 4; i++) {
			assertThat(Rest
				.post(this.cluster.a, first.apiPath() + "/messages", first.client().token(), Map.of("content", "m" + i))
				.status()).isEqualTo(201);
		}
		long before = Rest.get(this.cluster.b, "/api/unread", master).body().get("unread_count").asLong();
		assertThat(before).isEqualTo(4);
		Rest.Response read = Rest.post(this.cluster.b, first.apiPath() + "/read", master, Map.of("seq", 3));
		assertThat(read.status()).isEqualTo(200);
		assertThat(read.body().get("seq").asLong()).isEqualTo(3);
		assertThat(read.body().get("user_id").asLong()).isEqualTo(first.other().id());
		assertThat(Rest.get(this.cluster.a, "/api/unread", master).body().get("unread_count").asLong()).isEqualTo(1);
		JsonNode listed = Rest.get(this.cluster.a, "/api/service-chats", master).body().get(0);
		assertThat(listed.get("id").asLong()).isEqualTo(first.id());
		assertThat(listed.get("unread_count").asLong()).isEqualTo(1);

		assertThat(Rest.post(this.cluster.a, first.apiPath() + "/read", master, Map.of("seq", -2)).status())
			.isEqualTo(400);
		Chat other = Chats.serviceChat(this.cluster.a);
		assertThat(Rest.post(this.cluster.a, other.apiPath() + "/read", master, Map.of("seq", 1)).status())
			.as("not a participant")
			.isEqualTo(403);
	}

	@Test
	void concurrentReadsFromTwoDevicesOnlyEverMoveForward() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		for (int i = 0; i < 40; i++) {
			Rest.post(this.cluster.a, chat.apiPath() + "/messages", chat.other().token(), Map.of("content", "m" + i));
		}
		try (WsClient watcher = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()));
				ExecutorService devices = Executors.newFixedThreadPool(2)) {
			List<Future<?>> done = new ArrayList<>();
			for (int device = 0; device < 2; device++) {
				int offset = device;
				done.add(devices.submit(() -> {
					for (int seq = 40 - offset; seq >= 1; seq -= 2) {
						Rest.post((offset == 0) ? this.cluster.a : this.cluster.b, chat.apiPath() + "/read",
								chat.client().token(), Map.of("seq", seq));
					}
				}));
			}
			List<Long> stored = new ArrayList<>();
			while (!done.stream().allMatch(Future::isDone)) {
				stored.add(Rest.get(this.cluster.a, chat.apiPath(), chat.other().token())
					.body()
					.get("participants")
					.get(0)
					.get("last_read_seq")
					.asLong());
			}
			for (Future<?> device : done) {
				device.get();
			}
			assertThat(stored).as("the stored position, read while both devices write").isSorted();
			List<Long> told = new ArrayList<>();
			for (JsonNode frame : watcher.drain(Duration.ofMillis(500))) {
				told.add(expectType(frame, "read").get("seq").asLong());
			}
			assertThat(told).as("only positions that were stored are told")
				.isNotEmpty()
				.allMatch((seq) -> seq >= 39)
				.contains(40L);
		}
		JsonNode view = Rest.get(this.cluster.a, chat.apiPath(), chat.client().token()).body();
		assertThat(view.get("unread_count").asLong()).isZero();
	}

	@Test
	void typingIsThrottledRelayedToTheOtherUsersOnlyAndNeverStored() throws InterruptedException {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient phone = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient laptop = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			// Signals are not replayed: wait until both replicas deliver the chat.
			master.sendMessage("ready?");
			expectType(master.next(), "ack");
			expectType(phone.next(), "message");
			expectType(laptop.next(), "message");
			for (int i = 0; i < 20; i++) {
				phone.sendJson(Map.of("type", "typing"));
			}
			JsonNode typing = expectType(master.next(), "typing");
			assertThat(typing.get("user_id").asLong()).isEqualTo(chat.client().id());
			assertThat(master.drain(Duration.ofMillis(800))).as("one per user and chat every 2 s").isEmpty();
			assertThat(laptop.drain(Duration.ofMillis(100))).as("not to the typist's own devices").isEmpty();
			assertThat(phone.drain(Duration.ofMillis(100))).isEmpty();
			Thread.sleep(1300);
			phone.sendJson(Map.of("type", "typing"));
			expectType(master.next(), "typing");
			assertThat(Rest.get(this.cluster.a, chat.apiPath(), chat.client().token()).body().get("last_seq").asLong())
				.as("typing is not stored")
				.isEqualTo(1);
		}
	}

	@Test
	void stompSessionsReadAndTypeAndHearBothLikeRawClients() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String topic = "/topic/service-chats." + chat.id();
		String app = "/app/service-chats." + chat.id();
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()));
				StompWire client = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", chat.client().token())) {
			client.subscribe("s", topic, Map.of("receipt", "sub"));
			client.expect("RECEIPT");
			master.sendMessage("hello");
			expectType(master.next(), "ack");
			client.expect("MESSAGE");

			client.sendTo(app, "{\"type\":\"read\",\"seq\":1}", Map.of("receipt", "r"));
			// The RECEIPT and the session's own read, back through the bus, in either
			// order.
			Map<String, Frame> answers = new java.util.HashMap<>();
			for (int i = 0; i < 2; i++) {
				Frame frame = client.next();
				answers.put(frame.command(), frame);
			}
			assertThat(answers).containsOnlyKeys("RECEIPT", "MESSAGE");
			assertThat(answers.get("RECEIPT").header("seq")).isEqualTo("1");
			assertThat(expectType(master.next(), "read").get("seq").asLong()).isEqualTo(1);
			Frame ownRead = answers.get("MESSAGE");
			assertThat(ownRead.json().get("type").asString()).isEqualTo("read");
			assertThat(ownRead.header("seq")).as("signals have no seq of their own").isNull();

			client.sendTo(app, "{\"type\":\"typing\"}", Map.of());
			assertThat(expectType(master.next(), "typing").get("user_id").asLong()).isEqualTo(chat.client().id());
			master.sendJson(Map.of("type", "typing"));
			Frame typing = client.expect("MESSAGE");
			assertThat(typing.json().get("type").asString()).isEqualTo("typing");
			assertThat(typing.json().get("user_id").asLong()).isEqualTo(chat.other().id());

			client.sendTo(app, "{\"type\":\"read\",\"seq\":\"x\"}", Map.of());
			assertThat(client.expect("ERROR").header("message")).isEqualTo("invalid_seq");
		}
	}

	private long unreadOf(Chat chat, String token) {
		return Rest.get(this.cluster.b, chat.apiPath(), token).body().get("unread_count").asLong();
	}

}
