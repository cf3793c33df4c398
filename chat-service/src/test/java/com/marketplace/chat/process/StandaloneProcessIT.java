package com.marketplace.chat.process;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar started the way the README's quick start does it, in standalone mode
 * (no profile, no database or Redis, the development issuer): tokens from
 * {@code POST /dev/tokens}, a chat through the REST API, and two WebSocket clients
 * talking.
 */
class StandaloneProcessIT {

	private static final String FROM_CLIENT = "Привет, мастер! Когда сможете прийти? 🔧🙂";

	private static final String FROM_MASTER = "Здравствуйте! Завтра в 10:00 👍 — ёЁ, 𝄞, 👨‍👩‍👧";

	private static ProcessReplica standalone;

	@BeforeAll
	static void startTheJar() {
		standalone = ProcessReplica.standalone("standalone").start();
	}

	@AfterAll
	static void stopTheJar() {
		if (standalone.isAlive()) {
			standalone.terminate();
			Duration exit = standalone.waitForExit(Duration.ofSeconds(30));
			System.out.printf("[standalone] exited %d ms after SIGTERM with status %d%n", exit.toMillis(),
					standalone.exitValue());
		}
		standalone.close();
	}

	@Test
	void twoUsersWithDevTokensExchangeMessagesBothWaysExactlyOnceAndByteExact() {
		Party client = devToken(101, "client");
		Party master = devToken(202, "master");
		Chat chat = ProcessReplica.serviceChat(standalone.httpUrl(), client, master);

		try (WsClient clientSocket = WsClient.connect(ProcessReplica.wsUrl(standalone.wsUrl(), chat, client));
				WsClient masterSocket = WsClient.connect(ProcessReplica.wsUrl(standalone.wsUrl(), chat, master))) {
			clientSocket.sendJson(Map.of("type", "message", "content", FROM_CLIENT, "client_message_id", "c-1"));
			JsonNode ack = expectType(clientSocket.next(), "ack");
			JsonNode atMaster = expectType(masterSocket.next(), "message");

			assertThat(ack.get("client_message_id").asString()).isEqualTo("c-1");
			assertThat(ack.get("seq").asLong()).isEqualTo(1);
			assertThat(ack.get("chat_id").asLong()).isEqualTo(chat.id());
			assertThat(atMaster.get("id").asLong()).as("the master receives the acknowledged message")
				.isEqualTo(ack.get("id").asLong());
			assertThat(atMaster.get("sender_id").asLong()).isEqualTo(client.id());
			assertThat(atMaster.get("chat_id").asLong()).isEqualTo(chat.id());
			assertThat(atMaster.get("seq").asLong()).isEqualTo(1);
			assertThat(atMaster.get("created_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d")
				.isEqualTo(ack.get("created_at").asString());
			assertThat(utf8(atMaster.get("content").asString())).as("Cyrillic and emoji arrive byte for byte")
				.isEqualTo(utf8(FROM_CLIENT));

			masterSocket.sendMessage(FROM_MASTER);
			JsonNode masterAck = expectType(masterSocket.next(), "ack");
			JsonNode atClient = expectType(clientSocket.next(), "message");

			assertThat(masterAck.get("seq").asLong()).isEqualTo(2);
			assertThat(atClient.get("id").asLong()).isEqualTo(masterAck.get("id").asLong());
			assertThat(atClient.get("sender_id").asLong()).isEqualTo(master.id());
			assertThat(atClient.get("seq").asLong()).isEqualTo(2);
			assertThat(utf8(atClient.get("content").asString())).as("Cyrillic and emoji arrive byte for byte")
				.isEqualTo(utf8(FROM_MASTER));

			assertThat(clientSocket.drain(Duration.ofMillis(700))).as("the client got one ack, one message, no echo")
				.isEmpty();
			assertThat(masterSocket.drain(Duration.ofMillis(100))).as("the master got one ack, one message, no echo")
				.isEmpty();
		}

		Rest.Response history = ProcessReplica.get(standalone.httpUrl() + chat.apiPath() + "/messages", client.token());
		assertThat(history.status()).isEqualTo(200);
		List<String> stored = history.body().findValues("content").stream().map(JsonNode::asString).toList();
		assertThat(stored).as("the history holds both messages once, byte-exact")
			.containsExactly(FROM_CLIENT, FROM_MASTER);
	}

	private static Party devToken(long userId, String role) {
		Rest.Response issued = ProcessReplica.post(standalone.httpUrl() + "/dev/tokens", null,
				Map.of("user_id", userId, "roles", List.of(role)));
		assertThat(issued.status()).as("POST /dev/tokens: %s", issued.raw()).isEqualTo(200);
		assertThat(issued.body().get("token_type").asString()).isEqualTo("Bearer");
		assertThat(issued.body().get("expires_in").asLong()).isPositive();
		return new Party(userId, issued.body().get("access_token").asString());
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
