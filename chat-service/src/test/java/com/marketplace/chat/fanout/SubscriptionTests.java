package com.marketplace.chat.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica subscribes to a chat's channel while it has local connections of that chat,
 * and only then.
 */
class SubscriptionTests {

	private final Cluster cluster = Cluster.get();

	@Test
	void subscriptionsFollowLocalConnections() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String channel = "chat:service:" + chat.id();
		RedisClient client = RedisClient
			.create(RedisURI.create(TestInfrastructure.get().redisHost(), TestInfrastructure.get().redisPort()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			RedisCommands<String, String> redis = connection.sync();
			assertThat(subscribers(redis, channel)).as("no replica listens before anyone connects").isZero();
			try (WsClient first = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
					WsClient second = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()))) {
				awaitSubscribers(redis, channel, 1);
				first.close();
				Thread.sleep(300);
				assertThat(subscribers(redis, channel)).as("still one local connection on A").isEqualTo(1);
				try (WsClient onB = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()))) {
					awaitSubscribers(redis, channel, 2);
				}
				awaitSubscribers(redis, channel, 1);
			}
			awaitSubscribers(redis, channel, 0);
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void aBurstOfConnectionsToNewChatsIsServedWithoutWaitingForEachSubscription() throws Exception {
		List<Chat> chats = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			chats.add(Chats.serviceChat(this.cluster.a));
		}
		List<WsClient[]> pairs = new ArrayList<>();
		try (ExecutorService connecting = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<WsClient[]>> opened = new ArrayList<>();
			for (Chat chat : chats) {
				opened.add(connecting
					.submit(() -> new WsClient[] { WsClient.connect(chat.wsUrl(this.cluster.a, chat.client())),
							WsClient.connect(chat.wsUrl(this.cluster.b, chat.other())) }));
			}
			for (Future<WsClient[]> pair : opened) {
				pairs.add(pair.get());
			}
		}
		try {
			for (WsClient[] pair : pairs) {
				pair[0].sendMessage("hello");
			}
			for (WsClient[] pair : pairs) {
				assertThat(pair[0].next(Duration.ofSeconds(10)).get("type").asString()).isEqualTo("ack");
				assertThat(pair[1].next(Duration.ofSeconds(10)).get("content").asString()).isEqualTo("hello");
			}
		}
		finally {
			pairs.forEach((pair) -> {
				pair[0].close();
				pair[1].close();
			});
		}
	}

	/** PUBSUB NUMSUB counts subscribed connections: one per listening replica. */
	private static long subscribers(RedisCommands<String, String> redis, String channel) {
		return redis.pubsubNumsub(channel).getOrDefault(channel, 0L);
	}

	private static void awaitSubscribers(RedisCommands<String, String> redis, String channel, long expected)
			throws InterruptedException {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
		long seen;
		while ((seen = subscribers(redis, channel)) != expected && Instant.now().isBefore(deadline)) {
			Thread.sleep(50);
		}
		assertThat(seen).as("replicas subscribed to " + channel).isEqualTo(expected);
	}

}
