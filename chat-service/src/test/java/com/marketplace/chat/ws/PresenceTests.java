package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence across replicas: who of a chat's participants is connected, and when that
 * changes.
 */
class PresenceTests {

	private final Cluster cluster = Cluster.get();

	@Test
	void aUserIsOnlineWhileAnyOfTheirConnectionsIsOpenOnAnyReplica() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connectWithPresence(chat.wsUrl(this.cluster.a, chat.client()))) {
			assertThat(client.drain(Duration.ofMillis(300))).as("nobody else is here").isEmpty();
			WsClient phone = WsClient.connectWithPresence(chat.wsUrl(this.cluster.b, chat.other()));
			JsonNode online = expectType(client.next(), "presence");
			assertThat(online.get("user_id").asLong()).isEqualTo(chat.other().id());
			assertThat(online.get("online").asBoolean()).isTrue();
			JsonNode current = expectType(phone.next(), "presence");
			assertThat(current.get("user_id").asLong()).as("told who is here on connect").isEqualTo(chat.client().id());
			assertThat(current.get("online").asBoolean()).isTrue();
			assertThat(presence(chat)).isEqualTo(Map.of(chat.client().id(), true, chat.other().id(), true));

			WsClient laptop = WsClient.connectWithPresence(chat.wsUrl(this.cluster.a, chat.other()));
			expectType(laptop.next(), "presence");
			assertThat(client.drain(Duration.ofMillis(500))).as("a second device changes nothing").isEmpty();
			phone.close();
			assertThat(client.drain(Duration.ofMillis(500))).as("one device is still connected").isEmpty();
			laptop.close();
			JsonNode offline = expectType(client.next(), "presence");
			assertThat(offline.get("user_id").asLong()).isEqualTo(chat.other().id());
			assertThat(offline.get("online").asBoolean()).isFalse();
			assertThat(presence(chat)).isEqualTo(Map.of(chat.client().id(), true, chat.other().id(), false));
		}
		assertThat(
				Rest.get(this.cluster.a, chat.apiPath() + "/presence", Chats.Party.newUser("client").token()).status())
			.as("strangers see nothing")
			.isEqualTo(403);
	}

	private Map<Long, Boolean> presence(Chat chat) {
		Map<Long, Boolean> online = new java.util.HashMap<>();
		Rest.get(this.cluster.b, chat.apiPath() + "/presence", chat.client().token())
			.body()
			.forEach((entry) -> online.put(entry.get("user_id").asLong(), entry.get("online").asBoolean()));
		return online;
	}

}
