package com.marketplace.chat.message;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;

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

/**
 * A message that cannot be stored is refused, acked to nobody and delivered to nobody.
 */
class DatabaseOutageTests {

	@Test
	void everySenderOfABigGroupLearnsTheOutcomeWithinTwiceTheCommitTimeout() throws Exception {
		Cluster cluster = Cluster.get();
		try (TcpProxy proxy = databaseProxy();
				Replica cutOff = behind(proxy, "db-proxied-group",
						Map.of("chat.message.commit-timeout", "2s", "chat.message.writers", 1))) {
			Chat chat = Chats.serviceChat(cluster.a);
			ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
			Messages messages = cutOff.bean(Messages.class);
			messages.send(key, chat.client().id(), "warm", null);
			proxy.cut();
			int senders = 200;
			List<Long> waited = new java.util.concurrent.CopyOnWriteArrayList<>();
			java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
			try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
				for (int i = 0; i < senders; i++) {
					int n = i;
					pool.submit(() -> {
						long started = System.nanoTime();
						try {
							messages.send(key, chat.client().id(), "during " + n, null);
							stored.incrementAndGet();
						}
						catch (org.springframework.dao.DataAccessException
								| org.springframework.transaction.TransactionException expected) {
							// unavailable, as it should be
						}
						waited.add((System.nanoTime() - started) / 1_000_000);
					});
				}
			}
			long worst = waited.stream().mapToLong(Long::longValue).max().orElseThrow();
			System.out.printf(
					"DatabaseOutageTests: %d senders during an outage, %d stored, the last answered after %d ms%n",
					senders, stored.get(), worst);
			assertThat(waited).hasSize(senders);
			assertThat(stored).hasValue(0);
			assertThat(worst).as("within twice the commit timeout, and a second").isLessThan(5000);
		}
	}

	@Test
	void storingNeverWaitsForConnectionsThatReadsHold() throws Exception {
		Replica replica = Cluster.get().a;
		Chat chat = Chats.serviceChat(replica);
		DataSource reads = replica.bean(DataSource.class);
		List<java.sql.Connection> held = new ArrayList<>();
		try (WsClient client = WsClient.connect(chat.wsUrl(replica, chat.client()))) {
			// Frames are read once the connection has joined its chat, which reads the
			// database.
			client.send("{\"type\":\"ping\"}");
			expectType(client.next(), "pong");
			int size = ((com.zaxxer.hikari.HikariDataSource) reads).getMaximumPoolSize();
			for (int i = 0; i < size; i++) {
				held.add(reads.getConnection());
			}
			long started = System.nanoTime();
			client.sendMessage("while every read connection is taken");
			expectType(client.next(Duration.ofSeconds(5)), "ack");
			System.out.printf("DatabaseOutageTests: acked in %d ms with all %d application connections held%n",
					(System.nanoTime() - started) / 1_000_000, size);
		}
		finally {
			for (java.sql.Connection connection : held) {
				connection.close();
			}
		}
	}

	@Test
	void aSendThatCannotBeStoredGetsUnavailableAndReachesNobody() throws InterruptedException {
		Cluster cluster = Cluster.get();
		try (TcpProxy proxy = databaseProxy(); Replica cutOff = behind(proxy, "db-proxied", Map.of())) {
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
				com.marketplace.chat.testing.Rest.Response rest = com.marketplace.chat.testing.Rest.post(cutOff,
						chat.apiPath() + "/messages", chat.client().token(), Map.of("content", "via REST"));
				assertThat(rest.status()).as("REST answers as the socket does").isEqualTo(503);
				assertThat(rest.body().get("code").asString()).isEqualTo("unavailable");
				assertThat(rest.headers().firstValue("Retry-After")).isPresent();

				master.sendMessage("others keep chatting");
				expectType(master.next(), "ack");
				assertThat(expectType(client.next(), "message").get("content").asString())
					.as("live delivery through Redis needs no database on the receiving replica")
					.isEqualTo("others keep chatting");

				proxy.restore();
				JsonNode ack = null;
				for (int attempt = 0; attempt < 20 && ack == null; attempt++) {
					// as a client does: retry with the same client_message_id until acked
					client
						.sendJson(Map.of("type", "message", "content", "lost?", "client_message_id", "during-outage"));
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

	/** A TCP proxy in front of the test database, which a test can cut. */
	private static TcpProxy databaseProxy() {
		URI database = URI.create(TestInfrastructure.get().jdbcUrl().substring("jdbc:".length()));
		return new TcpProxy(database.getHost(), database.getPort());
	}

	/**
	 * A replica that reaches the database through the proxy only, giving up on a
	 * connection after 1 s.
	 */
	private static Replica behind(TcpProxy proxy, String name, Map<String, Object> settings) {
		String url = TestInfrastructure.get().jdbcUrl();
		URI database = URI.create(url.substring("jdbc:".length()));
		Map<String, Object> properties = new java.util.HashMap<>(settings);
		properties.put("spring.datasource.url",
				url.replace(database.getHost() + ":" + database.getPort(), "127.0.0.1:" + proxy.port()));
		properties.put("spring.datasource.hikari.connection-timeout", 1000);
		return Replica.start(name, properties);
	}

}
