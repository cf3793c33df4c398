package com.marketplace.chat.ws;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resume with after_id, idempotent retries across replicas, and token refresh on a live
 * connection.
 */
class ResumeAndRetryTests {

	private final Cluster cluster = Cluster.get();

	@Test
	void resumeReplaysWhatWasMissedThenGoesLiveWithoutGapOrDuplicate() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		long lastSeen;
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			master.sendMessage("1");
			expectType(master.next(), "ack");
			lastSeen = expectType(client.next(), "message").get("id").asLong();
			client.close();
			for (int i = 2; i <= 5; i++) {
				master.sendMessage(Integer.toString(i));
				expectType(master.next(), "ack");
			}
			try (WsClient resumed = WsClient
				.connect(chat.wsUrl(this.cluster.b, chat.client()) + "&after_id=" + lastSeen)) {
				master.sendMessage("6");
				List<String> contents = new ArrayList<>();
				List<Long> seqs = new ArrayList<>();
				for (int i = 0; i < 5; i++) {
					JsonNode message = expectType(resumed.next(), "message");
					contents.add(message.get("content").asString());
					seqs.add(message.get("seq").asLong());
				}
				assertThat(contents).containsExactly("2", "3", "4", "5", "6");
				assertThat(seqs).containsExactly(2L, 3L, 4L, 5L, 6L);
				assertThat(resumed.drain(Duration.ofMillis(700))).as("no duplicate across the switch").isEmpty();
			}
		}
	}

	@Test
	void aRetryOnAnotherReplicaStoresOnceDeliversOnceAndGetsTheSameAck() throws Exception {
		Chat chat = Chats.supportChat(this.cluster.a);
		Map<String, String> frame = Map.of("type", "message", "content", "pay attention", "client_message_id",
				"retry-7f3a");
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()));
				WsClient first = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			first.sendJson(frame);
			JsonNode ack = expectType(first.next(), "ack");
			first.close();
			try (WsClient retry = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()))) {
				retry.sendJson(frame);
				JsonNode secondAck = expectType(retry.next(), "ack");
				assertThat(secondAck).isEqualTo(ack);
				assertThat(expectType(master.next(), "message").get("id").asLong()).isEqualTo(ack.get("id").asLong());
				assertThat(master.drain(Duration.ofMillis(1500))).as("delivered once").isEmpty();
				assertThat(retry.drain(Duration.ofMillis(100))).as("the retrying connection gets only the ack")
					.isEmpty();
			}
		}
		try (var connection = TestInfrastructure.get().openDatabase();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(
						"SELECT COUNT(*) FROM chat_messages WHERE chat_kind = 'support' AND chat_id = " + chat.id())) {
			rows.next();
			assertThat(rows.getInt(1)).as("one row").isEqualTo(1);
		}
	}

	@Test
	void clientMessageIdsThatDifferInAnyByteAreDifferentMessages() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		List<String> ids = List.of("abc", "abc ", "ABC", "abc  ", "ab\u00e7", "abc\u00a0");
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			List<Long> stored = new ArrayList<>();
			for (String id : ids) {
				client.sendJson(Map.of("type", "message", "content", "id " + id, "client_message_id", id));
				JsonNode ack = expectType(client.next(), "ack");
				assertThat(ack.get("client_message_id").asString()).isEqualTo(id);
				stored.add(ack.get("id").asLong());
			}
			assertThat(stored).as("one message per distinct id").doesNotHaveDuplicates();
			for (int i = 0; i < ids.size(); i++) {
				client.sendJson(Map.of("type", "message", "content", "retry", "client_message_id", ids.get(i)));
				assertThat(expectType(client.next(), "ack").get("id").asLong()).as("a retry of " + ids.get(i))
					.isEqualTo(stored.get(i));
			}
		}
		Rest.Response viaRest = Rest.post(this.cluster.b, chat.apiPath() + "/messages", chat.client().token(),
				Map.of("content", "rest", "client_message_id", "abc   "));
		assertThat(viaRest.status()).isEqualTo(201);
		assertThat(Rest
			.post(this.cluster.b, chat.apiPath() + "/messages", chat.client().token(),
					Map.of("content", "rest", "client_message_id", "abc   "))
			.status()).isEqualTo(200);
	}

	@Test
	void aRefreshedTokenKeepsTheConnectionPastTheFirstExpiryAndAnotherUsersIsRefused() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		TestIssuer issuer = TestIssuer.get();
		String shortLived = issuer.token(chat.client().id(), TestIssuer.AUDIENCE, 3, "client");
		String url = this.cluster.a.wsUrl() + chat.wsPath() + "?token=";
		try (WsClient refreshed = WsClient.connect(url + shortLived);
				WsClient expiring = WsClient
					.connect(url + issuer.token(chat.client().id(), TestIssuer.AUDIENCE, 3, "client"))) {
			refreshed.sendJson(Map.of("type", "auth", "token", chat.other().token()));
			assertThat(expectType(refreshed.next(), "error").get("code").asString()).isEqualTo("invalid_token");
			refreshed.sendJson(Map.of("type", "auth", "token", issuer.token(chat.client().id())));
			assertThat(expectType(refreshed.next(), "authenticated").get("expires_at").asString()).isNotBlank();

			assertThat(expiring.closeCode(Duration.ofSeconds(8))).as("closed when exp passes").isEqualTo(1008);
			refreshed.send("{\"type\":\"ping\"}");
			expectType(refreshed.next(), "pong");
			assertThat(refreshed.isOpen()).isTrue();
		}
	}

}
