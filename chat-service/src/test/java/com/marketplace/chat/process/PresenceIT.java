package com.marketplace.chat.process;

import java.time.Duration;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** Presence when a replica dies without a word: the packaged jar, killed with SIGKILL. */
class PresenceIT {

	private final Cluster cluster = Cluster.get();

	/**
	 * A replica killed outright says nothing: its users go offline once their entries
	 * expire (a presence TTL of 3 s here) and a surviving replica's sweep sees it.
	 */
	@Test
	void theUsersOfAKilledReplicaGoOfflineWithinTheTtlAndASweep() throws Exception {
		Map<String, Object> shortTtl = Map.of("chat.fanout.presence-ttl", "3s");
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (Replica watcher = Replica.start("presence-watcher", shortTtl);
				WsClient client = WsClient.connectWithPresence(chat.wsUrl(watcher, chat.client()))) {
			ProcessReplica.Builder builder = ProcessReplica.cluster("presence-victim");
			shortTtl.forEach(builder::property);
			try (ProcessReplica victim = builder.start()) {
				WsClient master = WsClient.connect(chat.wsUrl(victim, chat.other()));
				assertThat(expectType(client.next(), "presence").get("online").asBoolean()).isTrue();
				long killedAt = System.nanoTime();
				victim.kill();
				JsonNode offline = expectType(client.next(Duration.ofSeconds(15)), "presence");
				long tookMillis = (System.nanoTime() - killedAt) / 1_000_000;
				assertThat(offline.get("user_id").asLong()).isEqualTo(chat.other().id());
				assertThat(offline.get("online").asBoolean()).isFalse();
				assertThat(tookMillis).as("within TTL + a third of it, and some slack").isLessThan(8_000);
				master.close();
			}
		}
	}

}
