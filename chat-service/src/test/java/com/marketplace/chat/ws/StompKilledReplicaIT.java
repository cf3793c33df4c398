package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.WsClient;
import com.marketplace.chat.ws.StompWire.Frame;
import org.junit.jupiter.api.Test;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A STOMP subscriber whose replica (the packaged jar) is killed with SIGKILL mid-stream
 * resubscribes on another replica with {@code after-id}: nothing lost, nothing doubled.
 */
class StompKilledReplicaIT {

	private static final int MESSAGES = 80;

	private final Cluster cluster = Cluster.get();

	@Test
	void aSubscriberOfAKilledReplicaResubscribesElsewhereAndMissesNothing() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String topic = "/topic/service-chats." + chat.id();
		List<Long> seqs = new ArrayList<>();
		long lastId = 0;
		try (WsClient master = WsClient.connect(chat.wsUrl(this.cluster.a, chat.other()));
				ProcessReplica victim = ProcessReplica.cluster("stomp-victim").start()) {
			Thread sender = Thread.ofVirtual().start(() -> {
				for (int i = 1; i <= MESSAGES; i++) {
					master.sendMessage("m" + i);
					try {
						Thread.sleep(10);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			try (StompWire wire = StompWire.connected(victim.wsUrl() + "/ws/stomp", chat.client().token())) {
				wire.subscribe("s", topic, Map.of("after-id", "0"));
				while (seqs.size() < 10) {
					Frame frame = wire.expect("MESSAGE");
					seqs.add(Long.parseLong(frame.header("seq")));
					lastId = frame.json().get("id").asLong();
				}
				victim.kill();
				for (Frame frame : wire.untilClosed(Duration.ofSeconds(20))) {
					if (frame.command().equals("MESSAGE")) {
						seqs.add(Long.parseLong(frame.header("seq")));
						lastId = frame.json().get("id").asLong();
					}
				}
			}
			try (StompWire again = StompWire.connected(this.cluster.b.wsUrl() + "/ws/stomp", chat.client().token())) {
				again.subscribe("s", topic, Map.of("after-id", Long.toString(lastId)));
				sender.join();
				while (seqs.size() < MESSAGES) {
					seqs.add(Long.parseLong(again.expect("MESSAGE").header("seq")));
				}
				assertThat(again.drain(Duration.ofMillis(500))).as("nothing more, nothing twice").isEmpty();
			}
			for (int i = 0; i < MESSAGES; i++) {
				expectType(master.next(), "ack");
			}
		}
		Set<Long> once = new HashSet<>();
		seqs.forEach((seq) -> assertThat(once.add(seq)).as("seq " + seq + " once").isTrue());
		assertThat(seqs).as("every message once, in order, across the kill").isSorted().hasSize(MESSAGES);
		assertThat(seqs.get(MESSAGES - 1)).isEqualTo(MESSAGES);
	}

}
