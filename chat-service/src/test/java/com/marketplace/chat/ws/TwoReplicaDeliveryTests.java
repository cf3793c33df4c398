package com.marketplace.chat.ws;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** Two replicas, one database, one Redis: messages cross replicas exactly once. */
class TwoReplicaDeliveryTests {

	private final Cluster cluster = Cluster.get();

	@ParameterizedTest
	@ValueSource(strings = { "service", "support" })
	void deliversAcrossReplicasExactlyOnceAndAcksTheSender(String kind) throws Exception {
		Chat chat = kind.equals("service") ? Chats.serviceChat(this.cluster.a) : Chats.supportChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient other = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			client.sendJson(Map.of("type", "message", "content", "Привет!", "client_message_id", "c-1"));
			JsonNode ack = expectType(client.next(), "ack");
			JsonNode received = expectType(other.next(), "message");

			assertThat(received.get("id").asLong()).isEqualTo(ack.get("id").asLong());
			assertThat(received.get("content").asString()).isEqualTo("Привет!");
			assertThat(received.get("sender_id").asLong()).isEqualTo(chat.client().id());
			assertThat(received.get("chat_id").asLong()).isEqualTo(chat.id());
			assertThat(received.get("seq").asLong()).isEqualTo(1);
			assertThat(received.get("created_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
			assertThat(ack.get("client_message_id").asString()).isEqualTo("c-1");
			assertThat(ack.get("seq").asLong()).isEqualTo(1);
			assertThat(ack.get("created_at").asString()).isEqualTo(received.get("created_at").asString());

			other.sendMessage("Здравствуйте");
			JsonNode reply = expectType(client.next(), "message");
			JsonNode replyAck = expectType(other.next(), "ack");
			assertThat(reply.get("id").asLong()).isEqualTo(replyAck.get("id").asLong());
			assertThat(reply.get("sender_id").asLong()).isEqualTo(chat.other().id());
			assertThat(reply.get("seq").asLong()).isEqualTo(2);

			assertThat(client.drain(Duration.ofMillis(500))).as("nothing echoed or repeated to the client").isEmpty();
			assertThat(other.drain(Duration.ofMillis(100))).as("nothing echoed or repeated to the other side")
				.isEmpty();
			assertThat(storedContents(kind, chat.id())).containsExactly("Привет!", "Здравствуйте");
		}
	}

	@Test
	void sendersOtherConnectionOnAnotherReplicaReceivesTheMessage() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient phone = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient laptop = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			phone.sendMessage("from my phone");
			JsonNode ack = expectType(phone.next(), "ack");
			JsonNode onLaptop = expectType(laptop.next(), "message");
			JsonNode atMaster = expectType(master.next(), "message");
			assertThat(onLaptop.get("id").asLong()).isEqualTo(ack.get("id").asLong());
			assertThat(atMaster.get("id").asLong()).isEqualTo(ack.get("id").asLong());
			assertThat(phone.drain(Duration.ofMillis(500))).as("the sending connection gets only its ack").isEmpty();
			assertThat(laptop.drain(Duration.ofMillis(100))).isEmpty();
		}
	}

	private static List<String> storedContents(String kind, long chatId) throws Exception {
		try (var connection = TestInfrastructure.get().openDatabase();
				PreparedStatement query = connection.prepareStatement(
						"SELECT content FROM chat_messages WHERE chat_kind = ? AND chat_id = ? ORDER BY seq")) {
			query.setString(1, kind);
			query.setLong(2, chatId);
			try (ResultSet rows = query.executeQuery()) {
				List<String> contents = new java.util.ArrayList<>();
				while (rows.next()) {
					contents.add(rows.getString(1));
				}
				return contents;
			}
		}
	}

}
