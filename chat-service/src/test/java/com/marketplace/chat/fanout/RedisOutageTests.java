package com.marketplace.chat.fanout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.OwnRedis;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis is only the notification bus: killing it mid-stream loses nothing. Two replicas
 * on a redis-server of the test's own; the receiver's ledger fails on any gap, duplicate
 * or reordering.
 */
class RedisOutageTests {

	private static final int MESSAGES = 60;

	@Test
	void aRedisCrashMidStreamLosesAndDuplicatesNothing() throws Exception {
		Cluster.get();
		try (OwnRedis redis = new OwnRedis();
				Replica one = Replica.start("redis-1", Map.of("spring.data.redis.port", redis.port()));
				Replica two = Replica.start("redis-2", Map.of("spring.data.redis.port", redis.port()))) {
			Chat chat = Chats.serviceChat(one);
			List<Long> acked = new ArrayList<>();
			try (WsClient sender = WsClient.connect(chat.wsUrl(one, chat.client()));
					WsClient receiver = WsClient.connect(chat.wsUrl(two, chat.other()))) {
				for (int i = 0; i < MESSAGES; i++) {
					if (i == 20) {
						redis.kill();
					}
					if (i == 30) {
						assertThat(readiness(one)).as("readiness reports the outage").isEqualTo(503);
					}
					if (i == 40) {
						redis.start();
					}
					sender.sendMessage("m" + i);
					acked.add(expectType(sender.next(Duration.ofSeconds(5)), "ack").get("seq").asLong());
					Thread.sleep(20);
				}
				List<Long> received = new ArrayList<>();
				Set<Long> distinct = new LinkedHashSet<>();
				while (received.size() < MESSAGES) {
					JsonNode message = expectType(receiver.next(Duration.ofSeconds(15)), "message");
					received.add(message.get("seq").asLong());
					distinct.add(message.get("seq").asLong());
				}
				assertThat(acked).as("every send was stored and acked during the outage")
					.hasSize(MESSAGES)
					.doesNotHaveDuplicates();
				assertThat(received).as("each stored message exactly once, in order").containsExactlyElementsOf(acked);
				assertThat(distinct).hasSize(MESSAGES);
				System.out.printf(
						"RedisOutageTests: sent %d, acked %d, received %d, distinct %d (Redis down for messages 20-39)%n",
						MESSAGES, acked.size(), received.size(), distinct.size());
				assertThat(receiver.drain(Duration.ofSeconds(2))).as("nothing after").isEmpty();
				long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
				while (readiness(one) != 200 && System.nanoTime() < deadline) {
					Thread.sleep(200);
				}
				assertThat(readiness(one)).as("ready again once Redis is back").isEqualTo(200);
			}
		}
	}

	@Test
	void killedSubscriptionsAreNoticedAndRestoredWithoutLosingMessages() throws Exception {
		Cluster.get();
		try (OwnRedis redis = new OwnRedis();
				Replica one = Replica.start("pubsub-1", Map.of("spring.data.redis.port", redis.port()));
				Replica two = Replica.start("pubsub-2", Map.of("spring.data.redis.port", redis.port()));
				RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
				StatefulRedisConnection<String, String> admin = client.connect()) {
			Chat chat = Chats.serviceChat(one);
			List<Long> acked = new ArrayList<>();
			List<Long> received = new ArrayList<>();
			try (WsClient sender = WsClient.connect(chat.wsUrl(one, chat.client()));
					WsClient receiver = WsClient.connect(chat.wsUrl(two, chat.other()))) {
				for (int i = 0; i < 30; i++) {
					if (i == 10) {
						assertThat(admin.sync().clientKill(KillArgs.Builder.typePubsub())).isPositive();
					}
					sender.sendMessage("m" + i);
					acked.add(expectType(sender.next(Duration.ofSeconds(5)), "ack").get("seq").asLong());
					Thread.sleep(50);
				}
				while (received.size() < acked.size()) {
					received.add(expectType(receiver.next(Duration.ofSeconds(15)), "message").get("seq").asLong());
				}
				assertThat(received).containsExactlyElementsOf(acked);
				assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
				long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
				while ((readiness(one) != 200 || readiness(two) != 200) && System.nanoTime() < deadline) {
					Thread.sleep(200);
				}
				assertThat(readiness(two)).as("the probe is heard again").isEqualTo(200);
				long channels = admin.sync().pubsubNumsub("chat:service:" + chat.id()).values().iterator().next();
				assertThat(channels).as("both replicas subscribed to the chat again").isEqualTo(2);
			}
		}
	}

	@Test
	void subscriptionsFollowConnectionsAgainAfterAnOutage() throws Exception {
		Cluster.get();
		try (OwnRedis redis = new OwnRedis();
				Replica replica = Replica.start("resubscribe", Map.of("spring.data.redis.port", redis.port()))) {
			Chat chat = Chats.serviceChat(replica);
			String channel = "chat:service:" + chat.id();
			redis.kill();
			try (WsClient client = WsClient.connect(chat.wsUrl(replica, chat.client()))) {
				// Subscribing fails while Redis is down; the sweep (every second here)
				// tries again.
				Thread.sleep(3500);
				redis.start();
				try (RedisClient admin = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
						StatefulRedisConnection<String, String> connection = admin.connect()) {
					awaitSubscribers(connection, channel, 1);
					client.close();
					awaitSubscribers(connection, channel, 0);
				}
			}
		}
	}

	private static void awaitSubscribers(StatefulRedisConnection<String, String> connection, String channel,
			long expected) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		long seen;
		while ((seen = connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L)) != expected
				&& System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(seen).as("subscribers of " + channel).isEqualTo(expected);
	}

	private static int readiness(Replica replica) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(replica.httpUrl() + "/actuator/health/readiness")).build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

}
