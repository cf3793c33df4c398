package com.marketplace.chat.fanout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.OwnRedisCluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bus on a real Redis Cluster the test starts itself: sharded pub/sub, each chat's
 * channel on the shard that owns its slot, and nothing lost, duplicated or reordered when
 * a shard's primary changes mid-stream, by a planned failover or a crash.
 */
class RedisClusterTests {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@Test
	void twoReplicasDeliverAcrossThreeShardsOnShardedChannels() throws Exception {
		Cluster.get();
		try (OwnRedisCluster redis = new OwnRedisCluster(3, 0);
				Replica one = Replica.start("shards-1", settings(redis));
				Replica two = Replica.start("shards-2", settings(redis))) {
			Map<Integer, List<Chat>> byShard = chatsOnEveryShard(one, redis, 2);
			assertThat(byShard).as("chats on each of the three primaries").hasSize(3);
			List<Chat> chats = byShard.values().stream().flatMap(List::stream).toList();
			Map<Chat, WsClient[]> sockets = new LinkedHashMap<>();
			try {
				for (Chat chat : chats) {
					sockets.put(chat, new WsClient[] { WsClient.connect(chat.wsUrl(one, chat.client())),
							WsClient.connect(chat.wsUrl(two, chat.other())) });
				}
				for (int i = 0; i < 6; i++) {
					for (Chat chat : chats) {
						WsClient from = sockets.get(chat)[i % 2];
						WsClient to = sockets.get(chat)[1 - i % 2];
						from.sendMessage(chat.id() + "-" + i);
						long seq = expectType(from.next(), "ack").get("seq").asLong();
						JsonNode received = expectType(to.next(), "message");
						assertThat(received.get("seq").asLong()).isEqualTo(seq).isEqualTo(i + 1);
						assertThat(received.get("content").asString()).isEqualTo(chat.id() + "-" + i);
					}
				}
				for (Map.Entry<Integer, List<Chat>> shard : byShard.entrySet()) {
					for (Chat chat : shard.getValue()) {
						String channel = channel(chat);
						assertThat(redis.command(shard.getKey(), "pubsub", "shardnumsub", channel))
							.as("both replicas hear %s on the shard that owns it", channel)
							.isEqualTo(channel + "\n2");
						for (int primary : redis.primaries()) {
							assertThat(redis.command(primary, "pubsub", "numsub", channel))
								.as("no classic subscription anywhere")
								.isEqualTo(channel + "\n0");
						}
					}
				}
				// Longer than the presence TTL (3 s): still online only if each replica's
				// refresh reached the shards that hold the chats' presence.
				Thread.sleep(4500);
				Chat first = chats.get(0);
				JsonNode presence = Rest.get(two, first.apiPath() + "/presence", first.client().token()).body();
				assertThat(presence.findValues("online")).as("presence is kept on the cluster too")
					.extracting(JsonNode::asBoolean)
					.containsExactly(true, true);
				assertThat(readiness(one)).isEqualTo(200);
				assertThat(readiness(two)).isEqualTo(200);
			}
			finally {
				sockets.values().forEach((pair) -> {
					pair[0].close();
					pair[1].close();
				});
			}
		}
	}

	@Test
	void aShardsPrimaryChangingMidStreamLosesDuplicatesAndReordersNothing() throws Exception {
		Cluster.get();
		try (OwnRedisCluster redis = new OwnRedisCluster(3, 1);
				Replica one = Replica.start("failover-1", settings(redis));
				Replica two = Replica.start("failover-2", settings(redis))) {
			Map<Integer, List<Chat>> byShard = chatsOnEveryShard(one, redis, 2);
			int primary = byShard.keySet().iterator().next();
			List<Chat> chats = new ArrayList<>(byShard.get(primary));
			chats.add(byShard.values().stream().skip(1).findFirst().orElseThrow().get(0));
			Map<Chat, WsClient> senders = new LinkedHashMap<>();
			Map<Chat, WsClient> receivers = new LinkedHashMap<>();
			int messages = 60;
			try {
				for (Chat chat : chats) {
					senders.put(chat, WsClient.connect(chat.wsUrl(one, chat.client())));
					receivers.put(chat, WsClient.connect(chat.wsUrl(two, chat.other())));
				}
				boolean sawUnready = false;
				for (int i = 0; i < messages; i++) {
					if (i == 15) {
						redis.failover(redis.replicaOf(primary));
					}
					if (i == 35) {
						// The shard's primary now is the former replica: once the former
						// primary follows it, crash it.
						redis.awaitInSync(primary, Duration.ofSeconds(15));
						redis.kill(redis.primaryOf(SlotHash.getSlot(channel(chats.get(0)))));
					}
					for (Chat chat : chats) {
						WsClient sender = senders.get(chat);
						sender.sendMessage("m" + i);
						expectType(sender.next(), "ack");
					}
					if (i >= 35 && !sawUnready) {
						sawUnready = readiness(one) == 503;
					}
					Thread.sleep(40);
				}
				for (int wait = 0; wait < 100 && !sawUnready; wait++) {
					sawUnready = readiness(one) == 503;
					Thread.sleep(50);
				}
				assertThat(sawUnready).as("a shard it cannot hear makes the replica unready").isTrue();
				for (Chat chat : chats) {
					List<Long> seqs = new ArrayList<>();
					List<String> contents = new ArrayList<>();
					long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
					while (seqs.size() < messages && System.nanoTime() < deadline) {
						JsonNode frame = receivers.get(chat).next(Duration.ofSeconds(30));
						if (frame != null && "message".equals(frame.get("type").asString())) {
							seqs.add(frame.get("seq").asLong());
							contents.add(frame.get("content").asString());
						}
					}
					List<Long> expected = new ArrayList<>();
					List<String> texts = new ArrayList<>();
					for (int i = 0; i < messages; i++) {
						expected.add(i + 1L);
						texts.add("m" + i);
					}
					assertThat(seqs).as("chat %s: every message once, in order", chat.id()).isEqualTo(expected);
					assertThat(contents).isEqualTo(texts);
					assertThat(receivers.get(chat)
						.drain(Duration.ofMillis(500))
						.stream()
						.filter((frame) -> "message".equals(frame.get("type").asString()))
						.toList()).as("no duplicate afterwards").isEmpty();
				}
				long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
				while (readiness(one) != 200 && System.nanoTime() < deadline) {
					Thread.sleep(100);
				}
				assertThat(readiness(one)).as("ready again once every shard is heard").isEqualTo(200);
				Chat chat = chats.get(0);
				senders.get(chat).sendMessage("after");
				expectType(senders.get(chat).next(), "ack");
				assertThat(expectType(receivers.get(chat).next(), "message").get("content").asString())
					.as("live through the new primary")
					.isEqualTo("after");
			}
			finally {
				senders.values().forEach(WsClient::close);
				receivers.values().forEach(WsClient::close);
			}
		}
	}

	@Test
	void aSlotMigratingMidStreamLosesDuplicatesAndReordersNothing() throws Exception {
		Cluster.get();
		try (OwnRedisCluster redis = new OwnRedisCluster(3, 0);
				Replica one = Replica.start("reshard-1", settings(redis));
				Replica two = Replica.start("reshard-2", settings(redis))) {
			Chat chat = chatsOnEveryShard(one, redis, 1).values().iterator().next().get(0);
			int slot = SlotHash.getSlot(channel(chat));
			int from = redis.primaryOf(slot);
			int to = redis.primaries().stream().filter((port) -> port != from).findFirst().orElseThrow();
			int messages = 40;
			try (WsClient sender = WsClient.connect(chat.wsUrl(one, chat.client()));
					WsClient receiver = WsClient.connect(chat.wsUrl(two, chat.other()))) {
				for (int i = 0; i < messages; i++) {
					if (i == 15) {
						redis.moveSlot(slot, to);
					}
					sender.sendMessage("m" + i);
					expectType(sender.next(), "ack");
					Thread.sleep(30);
				}
				List<Long> seqs = new ArrayList<>();
				while (seqs.size() < messages) {
					JsonNode frame = receiver.next(Duration.ofSeconds(20));
					if ("message".equals(frame.get("type").asString())) {
						seqs.add(frame.get("seq").asLong());
					}
				}
				List<Long> expected = new ArrayList<>();
				for (int i = 0; i < messages; i++) {
					expected.add(i + 1L);
				}
				assertThat(seqs).as("every message once, in order, across the move").isEqualTo(expected);
				assertThat(redis.primaryOf(slot)).isEqualTo(to);
				String channel = channel(chat);
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (!redis.command(to, "pubsub", "shardnumsub", channel).equals(channel + "\n2")
						&& System.nanoTime() < deadline) {
					Thread.sleep(100);
				}
				assertThat(redis.command(to, "pubsub", "shardnumsub", channel))
					.as("both replicas followed the slot to its new shard")
					.isEqualTo(channel + "\n2");
				sender.sendMessage("after");
				expectType(sender.next(), "ack");
				assertThat(expectType(receiver.next(), "message").get("content").asString()).isEqualTo("after");
			}
		}
	}

	private static Map<String, Object> settings(OwnRedisCluster redis) {
		Map<String, Object> settings = new HashMap<>();
		settings.put("spring.data.redis.cluster.nodes", redis.nodes());
		settings.put("chat.fanout.probe-interval", "250ms");
		settings.put("chat.fanout.probe-timeout", "1500ms");
		settings.put("chat.fanout.presence-ttl", "3s");
		return settings;
	}

	/** New chats until each primary owns the channels of at least {@code each}. */
	private static Map<Integer, List<Chat>> chatsOnEveryShard(Replica replica, OwnRedisCluster redis, int each) {
		Map<Integer, List<Chat>> byShard = new LinkedHashMap<>();
		Set<Integer> primaries = new HashSet<>(redis.primaries());
		for (int made = 0; made < 200; made++) {
			Chat chat = Chats.serviceChat(replica);
			byShard.computeIfAbsent(redis.primaryOf(SlotHash.getSlot(channel(chat))), (port) -> new ArrayList<>())
				.add(chat);
			if (byShard.size() == primaries.size() && byShard.values().stream().allMatch((c) -> c.size() >= each)) {
				break;
			}
		}
		byShard.values().forEach((chats) -> chats.subList(each, chats.size()).clear());
		return byShard;
	}

	private static String channel(Chat chat) {
		return "chat:" + chat.kind() + ":" + chat.id();
	}

	private static int readiness(Replica replica) throws Exception {
		return HTTP
			.send(HttpRequest.newBuilder(URI.create(replica.httpUrl() + "/actuator/health/readiness")).build(),
					HttpResponse.BodyHandlers.ofString())
			.statusCode();
	}

}
