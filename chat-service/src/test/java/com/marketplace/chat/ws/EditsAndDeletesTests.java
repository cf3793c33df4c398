package com.marketplace.chat.ws;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import com.marketplace.chat.ws.StompWire.Frame;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Editing and deleting one's own messages within the window, across two replicas, raw,
 * REST and STOMP: events in the chat's stream with a seq of their own, history showing
 * the current text, refusals that change nothing, and unread counts that follow.
 */
class EditsAndDeletesTests {

	private final Cluster cluster = Cluster.get();

	@Test
	void editsAndDeletesReachTheOtherReplicaInOrderAndHistoryShowsTheCurrentText() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			long first = send(client, master, "hello");
			long second = send(client, master, "second");

			client.sendJson(Map.of("type", "edit", "id", first, "content", "hello, edited"));
			JsonNode editAck = expectType(client.next(), "ack");
			assertThat(editAck.get("message_id").asLong()).isEqualTo(first);
			assertThat(editAck.get("seq").asLong()).isEqualTo(3);
			JsonNode edited = expectType(master.next(), "edited");
			assertThat(edited.get("message_id").asLong()).isEqualTo(first);
			assertThat(edited.get("id").asLong()).as("the edit's own id").isEqualTo(editAck.get("id").asLong());
			assertThat(edited.get("content").asString()).isEqualTo("hello, edited");
			assertThat(edited.get("sender_id").asLong()).isEqualTo(chat.client().id());
			assertThat(edited.get("seq").asLong()).isEqualTo(3);
			assertThat(edited.get("edited_at").asString()).isNotBlank();

			client.sendJson(Map.of("type", "delete", "id", second));
			assertThat(expectType(client.next(), "ack").get("message_id").asLong()).isEqualTo(second);
			JsonNode deleted = expectType(master.next(), "deleted");
			assertThat(deleted.get("message_id").asLong()).isEqualTo(second);
			assertThat(deleted.get("seq").asLong()).isEqualTo(4);
			assertThat(deleted.has("content")).isFalse();
			assertThat(client.drain(Duration.ofMillis(300))).as("the editor's connection gets no echo").isEmpty();

			JsonNode history = Rest.get(this.cluster.b, chat.apiPath() + "/messages", chat.other().token()).body();
			assertThat(history).as("messages only, not the events").hasSize(2);
			assertThat(history.get(0).get("id").asLong()).isEqualTo(first);
			assertThat(history.get(0).get("content").asString()).isEqualTo("hello, edited");
			assertThat(history.get(0).get("edited_at").asString()).isNotBlank();
			assertThat(history.get(0).get("deleted").asBoolean()).isFalse();
			assertThat(history.get(1).get("content").asString()).isEmpty();
			assertThat(history.get(1).get("deleted").asBoolean()).isTrue();
			assertThat(history.get(1).has("edited_at")).as("never edited; nulls are left out").isFalse();
		}

		try (WsClient resumed = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()) + "&after_id=0")) {
			List<String> types = new ArrayList<>();
			List<Long> seqs = new ArrayList<>();
			List<JsonNode> frames = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				JsonNode frame = resumed.next();
				frames.add(frame);
				types.add(frame.get("type").asString());
				seqs.add(frame.get("seq").asLong());
			}
			assertThat(seqs).containsExactly(1L, 2L, 3L, 4L);
			assertThat(types).containsExactly("message", "message", "edited", "deleted");
			assertThat(frames.get(0).get("content").asString()).as("replayed as it is now").isEqualTo("hello, edited");
			assertThat(frames.get(0).has("edited_at")).isTrue();
			assertThat(frames.get(1).get("deleted").asBoolean()).isTrue();
			assertThat(resumed.drain(Duration.ofMillis(300))).isEmpty();
		}
	}

	@Test
	void refusedEditsAndDeletesSayWhyAndChangeNothing() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		Chat elsewhere = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			long mine = send(client, master, "mine");
			long old = send(client, master, "old");
			long gone = send(client, master, "gone");
			client.sendJson(Map.of("type", "delete", "id", gone));
			expectType(client.next(), "ack");
			expectType(master.next(), "deleted");
			long foreign = Rest
				.post(this.cluster.a, elsewhere.apiPath() + "/messages", elsewhere.client().token(),
						Map.of("content", "other chat"))
				.body()
				.get("id")
				.asLong();
			age(old, Duration.ofMinutes(16));
			long lastSeq = lastSeq(chat);

			master.sendJson(Map.of("type", "edit", "id", mine, "content", "hijacked"));
			assertThat(error(master)).isEqualTo("not_your_message");
			master.sendJson(Map.of("type", "delete", "id", mine));
			assertThat(error(master)).isEqualTo("not_your_message");
			client.sendJson(Map.of("type", "edit", "id", old, "content", "too late"));
			assertThat(error(client)).isEqualTo("edit_window_closed");
			client.sendJson(Map.of("type", "delete", "id", old));
			assertThat(error(client)).isEqualTo("edit_window_closed");
			client.sendJson(Map.of("type", "edit", "id", gone, "content", "back"));
			assertThat(error(client)).isEqualTo("message_deleted");
			client.sendJson(Map.of("type", "edit", "id", foreign, "content", "x"));
			assertThat(error(client)).as("a message of another chat").isEqualTo("message_not_found");
			client.sendJson(Map.of("type", "delete", "id", Long.MAX_VALUE));
			assertThat(error(client)).isEqualTo("message_not_found");
			client.sendJson(Map.of("type", "edit", "id", "1", "content", "x"));
			assertThat(error(client)).isEqualTo("invalid_message_id");
			client.sendJson(Map.of("type", "delete", "id", 0));
			assertThat(error(client)).isEqualTo("invalid_message_id");
			client.sendJson(Map.of("type", "edit", "id", mine));
			assertThat(error(client)).isEqualTo("invalid_content");
			client.sendJson(Map.of("type", "edit", "id", mine, "content", "   "));
			assertThat(error(client)).isEqualTo("invalid_content");
			client.sendJson(Map.of("type", "edit", "id", mine, "content", "x".repeat(4001)));
			assertThat(error(client)).isEqualTo("content_too_long");

			String path = chat.apiPath() + "/messages/";
			Rest.Response hijack = Rest.patch(this.cluster.b, path + mine, chat.other().token(),
					Map.of("content", "hijacked"));
			assertThat(hijack.status()).isEqualTo(403);
			assertThat(hijack.body().get("code").asString()).isEqualTo("not_your_message");
			Rest.Response late = Rest.delete(this.cluster.b, path + old, chat.client().token());
			assertThat(late.status()).isEqualTo(409);
			assertThat(late.body().get("code").asString()).isEqualTo("edit_window_closed");
			Rest.Response missing = Rest.patch(this.cluster.b, path + foreign, chat.client().token(),
					Map.of("content", "x"));
			assertThat(missing.status()).isEqualTo(404);
			assertThat(missing.body().get("code").asString()).isEqualTo("message_not_found");
			assertThat(Rest.delete(this.cluster.b, path + mine, elsewhere.client().token()).status())
				.as("not a participant")
				.isEqualTo(403);

			assertThat(master.drain(Duration.ofMillis(300))).as("nobody heard of a refused change").isEmpty();
			assertThat(lastSeq(chat)).as("no seq taken").isEqualTo(lastSeq);
			JsonNode history = Rest.get(this.cluster.a, chat.apiPath() + "/messages", chat.client().token()).body();
			assertThat(history.get(0).get("content").asString()).isEqualTo("mine");
			assertThat(history.get(0).has("edited_at")).isFalse();
			assertThat(history.get(1).get("content").asString()).isEqualTo("old");
			assertThat(history.get(2).get("deleted").asBoolean()).isTrue();
		}
	}

	@Test
	void restEditsAndDeletesReachConnectionsAndAnswerTheMessageAsItIsNow() {
		Chat chat = Chats.supportChat(this.cluster.a);
		try (WsClient agent = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			String path = chat.apiPath() + "/messages";
			long id = Rest.post(this.cluster.a, path, chat.client().token(), Map.of("content", "typo"))
				.body()
				.get("id")
				.asLong();
			expectType(agent.next(), "message");
			Rest.Response edited = Rest.patch(this.cluster.a, path + "/" + id, chat.client().token(),
					Map.of("content", "fixed"));
			assertThat(edited.status()).isEqualTo(200);
			assertThat(edited.body().get("id").asLong()).isEqualTo(id);
			assertThat(edited.body().get("content").asString()).isEqualTo("fixed");
			assertThat(edited.body().get("edited_at").asString()).isNotBlank();
			assertThat(expectType(agent.next(), "edited").get("content").asString()).isEqualTo("fixed");

			Rest.Response deleted = Rest.delete(this.cluster.a, path + "/" + id, chat.client().token());
			assertThat(deleted.status()).isEqualTo(200);
			assertThat(deleted.body().get("deleted").asBoolean()).isTrue();
			assertThat(deleted.body().get("content").asString()).isEmpty();
			assertThat(expectType(agent.next(), "deleted").get("message_id").asLong()).isEqualTo(id);
			Rest.Response again = Rest.delete(this.cluster.b, path + "/" + id, chat.client().token());
			assertThat(again.status()).isEqualTo(409);
			assertThat(again.body().get("code").asString()).isEqualTo("message_deleted");
			assertThat(Rest.patch(this.cluster.a, path + "/" + id, chat.client().token(), Map.of()).status())
				.as("no content")
				.isEqualTo(400);
		}
	}

	@Test
	void unreadCountsIgnoreEditsAndLeaveDeletedMessagesOut() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String path = chat.apiPath() + "/messages";
		String master = chat.other().token();
		long[] ids = new long[3];
		for (int i = 0; i < 3; i++) {
			ids[i] = Rest.post(this.cluster.a, path, master, Map.of("content", "m" + i)).body().get("id").asLong();
		}
		assertThat(unread(chat, chat.client().token())).isEqualTo(3);
		assertThat(Rest.patch(this.cluster.b, path + "/" + ids[0], master, Map.of("content", "m0!")).status())
			.isEqualTo(200);
		assertThat(unread(chat, chat.client().token())).as("an edit is not a new message").isEqualTo(3);
		assertThat(Rest.delete(this.cluster.b, path + "/" + ids[1], master).status()).isEqualTo(200);
		assertThat(unread(chat, chat.client().token())).as("a deleted unread message is not waiting").isEqualTo(2);

		assertThat(
				Rest.post(this.cluster.b, chat.apiPath() + "/read", chat.client().token(), Map.of("seq", 5)).status())
			.isEqualTo(200);
		assertThat(unread(chat, chat.client().token())).isZero();
		Rest.post(this.cluster.a, path, master, Map.of("content", "m3"));
		assertThat(unread(chat, chat.client().token())).isEqualTo(1);
		assertThat(Rest.delete(this.cluster.a, path + "/" + ids[0], master).status()).isEqualTo(200);
		assertThat(unread(chat, chat.client().token())).as("deleting a message already read changes nothing")
			.isEqualTo(1);
		assertThat(Rest.get(this.cluster.a, "/api/unread", chat.client().token()).body().get("unread_count").asLong())
			.isEqualTo(1);
		assertThat(unread(chat, master)).as("the master's own messages left, none read by them").isEqualTo(2);

		assertThat(Rest.post(this.cluster.a, chat.apiPath() + "/read", master, Map.of("seq", 2)).status())
			.isEqualTo(200);
		assertThat(unread(chat, master)).as("read up to the deleted message: m2 and m3 are left").isEqualTo(2);
		assertThat(Rest.post(this.cluster.a, chat.apiPath() + "/read", master, Map.of("seq", 3)).status())
			.isEqualTo(200);
		assertThat(unread(chat, master)).isEqualTo(1);
	}

	@Test
	void stompSessionsEditAndDeleteLikeRawClients() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String app = "/app/service-chats." + chat.id();
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()));
				StompWire client = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", chat.client().token())) {
			client.subscribe("s", "/topic/service-chats." + chat.id(), Map.of("receipt", "sub"));
			client.expect("RECEIPT");
			client.sendTo(app, "{\"content\":\"draft\"}", Map.of("receipt", "m"));
			long id = Long.parseLong(client.expect("RECEIPT").header("id"));
			expectType(master.next(), "message");

			client.sendTo(app, "{\"type\":\"edit\",\"id\":" + id + ",\"content\":\"final\"}", Map.of("receipt", "e"));
			Frame receipt = client.expect("RECEIPT");
			assertThat(receipt.header("message-id")).isEqualTo(Long.toString(id));
			assertThat(receipt.header("seq")).isEqualTo("2");
			assertThat(expectType(master.next(), "edited").get("content").asString()).isEqualTo("final");

			long masters = send(master, null, "from the master");
			client.expect("MESSAGE");
			client.sendTo(app, "{\"type\":\"delete\",\"id\":" + masters + "}", Map.of("receipt", "d"));
			Frame refused = client.expect("ERROR");
			assertThat(refused.header("message")).isEqualTo("not_your_message");
			assertThat(refused.header("receipt-id")).isEqualTo("d");
			client.sendTo(app, "{\"type\":\"edit\",\"id\":" + id + "}", Map.of());
			assertThat(client.expect("ERROR").header("message")).isEqualTo("invalid_content");

			master.sendJson(Map.of("type", "delete", "id", masters));
			expectType(master.next(), "ack");
			Frame deleted = client.expect("MESSAGE");
			assertThat(deleted.json().get("type").asString()).isEqualTo("deleted");
			assertThat(deleted.json().get("message_id").asLong()).isEqualTo(masters);
			assertThat(deleted.header("seq")).isEqualTo("4");
		}
	}

	/**
	 * Sends from {@code from}, waits for its ack and, when given, the copy at {@code to}.
	 */
	private static long send(WsClient from, WsClient to, String content) {
		from.sendMessage(content);
		long id = expectType(from.next(), "ack").get("id").asLong();
		if (to != null) {
			assertThat(expectType(to.next(), "message").get("id").asLong()).isEqualTo(id);
		}
		return id;
	}

	private static String error(WsClient client) {
		return expectType(client.next(), "error").get("code").asString();
	}

	/** Makes a stored message look as if it had been sent {@code ago}. */
	private void age(long messageId, Duration ago) {
		// The pool hands out connections with auto-commit off: commit explicitly.
		Integer updated = this.cluster.a.bean(TransactionTemplate.class)
			.execute((status) -> this.cluster.a.bean(JdbcClient.class)
				.sql("UPDATE chat_messages SET created_at = :at WHERE id = :id")
				.param("at", LocalDateTime.now(ZoneOffset.UTC).minus(ago))
				.param("id", messageId)
				.update());
		assertThat(updated).isEqualTo(1);
	}

	private long lastSeq(Chat chat) {
		return Rest.get(this.cluster.b, chat.apiPath(), chat.client().token()).body().get("last_seq").asLong();
	}

	private long unread(Chat chat, String token) {
		return Rest.get(this.cluster.b, chat.apiPath(), token).body().get("unread_count").asLong();
	}

}
