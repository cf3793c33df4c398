package com.marketplace.chat.ws;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whoever stops being a participant stops hearing the chat at once, on every replica:
 * through the removal notice, through the participants every message carries (when the
 * notice is lost), through the sweep, and when they refresh their token.
 */
class ParticipationTests {

	/**
	 * A replica whose sweep never runs during a test, so only the other mechanisms act.
	 */
	private static Replica unswept;

	private final Cluster cluster = Cluster.get();

	@BeforeAll
	static void startUnsweptReplica() {
		Cluster.get();
		unswept = Replica.start("unswept", Map.of("chat.fanout.sweep-interval", "1h"));
	}

	@AfterAll
	static void stopUnsweptReplica() {
		unswept.close();
	}

	@Test
	void aReassignedAgentIsDisconnectedOnEveryReplicaAndHearsNothingMore() {
		Chat chat = Chats.supportChat(this.cluster.a);
		Party admin = Party.newUser("admin");
		Party next = Party.newUser("support");
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient oldOnA = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()));
				WsClient oldOnB = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			client.sendMessage("before");
			expectType(client.next(), "ack");
			expectType(oldOnA.next(), "message");
			expectType(oldOnB.next(), "message");

			Rest.Response reassigned = Rest.post(this.cluster.b, chat.apiPath() + "/assignee", admin.token(),
					Map.of("support_id", next.id()));
			assertThat(reassigned.status()).isEqualTo(200);
			for (WsClient old : List.of(oldOnA, oldOnB)) {
				assertThat(old.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
				assertThat(old.closeReason()).contains("no longer a participant");
			}
			client.sendMessage("after");
			expectType(client.next(), "ack");
			assertThat(oldOnA.drain(Duration.ofMillis(300))).as("nothing after the reassignment").isEmpty();
			assertThat(oldOnB.drain(Duration.ofMillis(300))).as("nothing after the reassignment").isEmpty();
			assertThat(WsClient.refusal(chat.wsUrl(this.cluster.a, chat.other()), Map.of())).isEqualTo(403);
			try (WsClient newAgent = WsClient.connect(chat.wsUrl(this.cluster.b, next) + "&after_id=0")) {
				assertThat(expectType(newAgent.next(), "message").get("content").asString()).isEqualTo("before");
				assertThat(expectType(newAgent.next(), "message").get("content").asString()).isEqualTo("after");
			}
		}
	}

	@Test
	void aMessageStoredAfterARemovalIsNotDeliveredToTheRemovedUserEvenWhenNoNoticeCame() throws Exception {
		Chat chat = Chats.supportChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient removed = WsClient.connect(chat.wsUrl(unswept, chat.other()))) {
			client.sendMessage("before");
			expectType(client.next(), "ack");
			expectType(removed.next(), "message");

			reassignInTheDatabaseOnly(chat, Cluster.newUserId());
			client.sendMessage("after");
			expectType(client.next(), "ack");
			assertThat(removed.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
			assertThat(removed.drain(Duration.ofMillis(200))).as("the message after the removal").isEmpty();
		}
	}

	@Test
	void aTokenRefreshChecksParticipationAgain() throws Exception {
		Chat chat = Chats.supportChat(this.cluster.a);
		try (WsClient removed = WsClient.connect(chat.wsUrl(unswept, chat.other()))) {
			removed.send("{\"type\":\"ping\"}");
			expectType(removed.next(), "pong");
			reassignInTheDatabaseOnly(chat, Cluster.newUserId());
			removed.sendJson(Map.of("type", "auth", "token", TestIssuer.get().token(chat.other().id(), "support")));
			JsonNode refused = expectType(removed.next(), "error");
			assertThat(refused.get("code").asString()).isEqualTo("forbidden");
			assertThat(removed.closeCode(Duration.ofSeconds(5))).isEqualTo(1008);
		}
	}

	@Test
	void theSweepClosesARemovedUsersConnectionsWhenNothingElseDoes() throws Exception {
		Chat chat = Chats.supportChat(this.cluster.a);
		try (WsClient removed = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			removed.send("{\"type\":\"ping\"}");
			expectType(removed.next(), "pong");
			reassignInTheDatabaseOnly(chat, Cluster.newUserId());
			assertThat(removed.closeCode(Duration.ofSeconds(5))).as("closed within the sweep interval (1 s here)")
				.isEqualTo(1008);
			assertThat(removed.closeReason()).contains("no longer a participant");
		}
	}

	/**
	 * As another tool, or a lost notice, would leave it: the row changed and no replica
	 * told.
	 */
	private static void reassignInTheDatabaseOnly(Chat chat, long agent) throws Exception {
		try (Connection connection = TestInfrastructure.get().openDatabase();
				PreparedStatement update = connection
					.prepareStatement("UPDATE support_chats SET support_id = ? WHERE id = ?")) {
			update.setLong(1, agent);
			update.setLong(2, chat.id());
			assertThat(update.executeUpdate()).isEqualTo(1);
		}
	}

}
