package com.marketplace.chat.message;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.TcpProxy;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** A message that cannot be stored is refused, acked to nobody and delivered to nobody. */
class DatabaseOutageTests {

	@Test
	void aSendThatCannotBeStoredGetsUnavailableAndReachesNobody() throws InterruptedException {
		Cluster cluster = Cluster.get();
		TestInfrastructure infrastructure = TestInfrastructure.get();
		URI database = URI.create(infrastructure.jdbcUrl().substring("jdbc:".length()));
		try (TcpProxy proxy = new TcpProxy(database.getHost(), database.getPort());
				Replica cutOff = Replica.start("db-proxied",
						Map.of("spring.datasource.url", infrastructure.jdbcUrl()
							.replace(database.getHost() + ":" + database.getPort(), "127.0.0.1:" + proxy.port()),
								"spring.datasource.hikari.connection-timeout", 1000))) {
			Chat chat = Chats.serviceChat(cluster.a);
			try (WsClient client = WsClient.connect(chat.wsUrl(cutOff, chat.client()));
					WsClient master = WsClient.connect(chat.wsUrl(cluster.a, chat.other()))) {
				client.send("{\"type\":\"ping\"}");
				expectType(client.next(), "pong");
				proxy.cut();
				client.sendJson(Map.of("type", "message", "content", "lost?", "client_message_id", "during-outage"));
				JsonNode error = expectType(client.next(Duration.ofSeconds(15)), "error");
				assertThat(error.get("code").asString()).isEqualTo("unavailable");
				assertThat(client.drain(Duration.ofMillis(500))).as("no ack").isEmpty();
				assertThat(master.drain(Duration.ofMillis(500))).as("delivered to nobody").isEmpty();
				assertThat(WsClient.refusal(chat.wsUrl(cutOff, chat.client()), Map.of()))
					.as("new handshakes need the database")
					.isEqualTo(503);

				master.sendMessage("others keep chatting");
				expectType(master.next(), "ack");
				assertThat(expectType(client.next(), "message").get("content").asString())
					.as("live delivery through Redis needs no database on the receiving replica")
					.isEqualTo("others keep chatting");

				proxy.restore();
				JsonNode ack = null;
				for (int attempt = 0; attempt < 20 && ack == null; attempt++) {
					// as a client does: retry with the same client_message_id until acked
					client.sendJson(Map.of("type", "message", "content", "lost?", "client_message_id", "during-outage"));
					JsonNode answer = client.next(Duration.ofSeconds(15));
					if ("ack".equals(answer.get("type").asString())) {
						ack = answer;
					}
					else {
						assertThat(answer.get("code").asString()).isEqualTo("unavailable");
						Thread.sleep(500);
					}
				}
				assertThat(ack).as("stored once the database is back").isNotNull();
				JsonNode received = expectType(master.next(Duration.ofSeconds(5)), "message");
				assertThat(received.get("id").asLong()).isEqualTo(ack.get("id").asLong());
				assertThat(received.get("seq").asLong()).as("the refused send took no seq").isEqualTo(2);
			}
		}
	}

}
