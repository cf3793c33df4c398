package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocol pings: every connection is pinged once per interval, spread over it, and a
 * silent one is closed.
 */
class PingTests {

	@Test
	void pingsEveryConnectionEachIntervalAndClosesOnesThatStopAnswering() throws Exception {
		Cluster cluster = Cluster.get();
		try (Replica replica = Replica.start("pinging",
				Map.of("chat.ws.ping-interval", "4s", "chat.ws.pong-timeout", "6s"))) {
			Chat chat = Chats.serviceChat(cluster.a);
			MeterRegistry meters = replica.bean(MeterRegistry.class);
			List<WsClient> answering = new ArrayList<>();
			try (WsClient silent = WsClient.connectStalled(chat.wsUrl(replica, chat.other()))) {
				for (int i = 0; i < 10; i++) {
					answering.add(WsClient.connect(chat.wsUrl(replica, chat.client())));
				}
				Thread.sleep(9000);
				for (WsClient client : answering) {
					assertThat(client.pings()).as("pinged every 4 s over 9 s").isBetween(1, 3);
					assertThat(client.isOpen()).isTrue();
				}
				long first = answering.stream().mapToLong(WsClient::firstPingNanos).min().orElseThrow();
				long last = answering.stream().mapToLong(WsClient::firstPingNanos).max().orElseThrow();
				assertThat(Duration.ofNanos(last - first)).as("pings spread over the interval, not all at once")
					.isGreaterThan(Duration.ofMillis(900));
				assertThat(meters.get("chat.ws.connections").tag("protocol", "raw").gauge().value())
					.as("the connection that never answered was closed")
					.isEqualTo(answering.size());
			}
			finally {
				answering.forEach(WsClient::close);
			}
		}
	}

}
