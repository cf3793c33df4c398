package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.PingingSocket;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames read on Tomcat's poller ({@link InlineReads}), on real sockets: that it happens,
 * and that a client which stops reading and keeps pinging, whose pongs Tomcat writes with
 * blocking writes, holds up nobody else on its replica.
 */
class InlineReadsTests {

	@Test
	void readsAChatConnectionsFramesOnThePoller() {
		Cluster cluster = Cluster.get();
		Chat chat = Chats.serviceChat(cluster.a);
		Counter inline = cluster.a.bean(MeterRegistry.class).get("chat.ws.inline.reads").counter();
		double before = inline.count();
		try (WsClient client = WsClient.connect(chat.wsUrl(cluster.a, chat.client()));
				WsClient other = WsClient.connect(chat.wsUrl(cluster.a, chat.other()))) {
			for (int i = 1; i <= 5; i++) {
				client.sendMessage("inline " + i);
				assertThat(expectType(client.next(), "ack").get("seq").asLong()).isEqualTo(i);
				assertThat(expectType(other.next(), "message").get("content").asString()).isEqualTo("inline " + i);
			}
			// A read receipt waits for the database: handed off the poller, answered all
			// the same.
			other.sendJson(Map.of("type", "read", "seq", 5));
			JsonNode read = expectType(client.next(), "read");
			assertThat(read.get("seq").asLong()).isEqualTo(5);
			assertThat(read.get("user_id").asLong()).isEqualTo(chat.other().id());
		}
		assertThat(inline.count() - before).as("reads of this test's frames that ran on the poller")
			.isGreaterThanOrEqualTo(3);
	}

	/**
	 * Two clients that keep pinging, one after the other, beside a conversation on the
	 * same replica: one that pings in bursts and never reads, read on the poller until
	 * its socket is full and the next pong cannot be written there; one that reads its
	 * pongs and pings as fast as it can, which Tomcat would go on reading on the poller
	 * as long as the pings come.
	 */
	@Test
	void clientsThatPingAndNeverReadAreClosedWithoutHoldingUpTheOthers() throws Exception {
		try (Replica replica = Replica.start("pinged", Map.of())) {
			Counter evicted = replica.bean(MeterRegistry.class).get("chat.ws.inline.evicted").counter();
			Chat talking = Chats.serviceChat(replica);
			try (WsClient sender = WsClient.connect(talking.wsUrl(replica, talking.client()));
					WsClient receiver = WsClient.connect(talking.wsUrl(replica, talking.other()))) {
				AtomicBoolean stop = new AtomicBoolean();
				AtomicLong slowest = new AtomicLong();
				AtomicInteger delivered = new AtomicInteger();
				AtomicReference<Throwable> failed = new AtomicReference<>();
				Thread conversation = Thread.ofVirtual().start(() -> {
					try {
						while (!stop.get()) {
							long sent = System.nanoTime();
							sender.sendMessage("still here " + delivered.get());
							expectType(receiver.next(Duration.ofSeconds(30)), "message");
							slowest.accumulateAndGet(System.nanoTime() - sent, Math::max);
							expectType(sender.next(Duration.ofSeconds(30)), "ack");
							delivered.incrementAndGet();
							Thread.sleep(120);
						}
					}
					catch (Throwable ex) {
						failed.set(ex);
					}
				});

				assertThat(pingInBurstsUntilRefused(replica, evicted))
					.as("a connection read on the poller was closed once a pong could not be written there")
					.isLessThan(Duration.ofSeconds(15));
				double evictedBefore = evicted.count();
				Chat flooded = Chats.serviceChat(replica);
				try (PingingSocket flood = PingingSocket.open(replica, flooded.wsPath(), flooded.client().token(),
						true)) {
					Thread.sleep(300);
					assertThat(flood.pingUntilRefused(Duration.ofSeconds(4), 64, Duration.ZERO))
						.as("a client that reads its pongs may ping as it likes")
						.isNull();
				}
				assertThat(evicted.count() - evictedBefore).as("the flood's connection was taken off the poller")
					.isOne();
				int deliveredBeforeTheEnd = delivered.get();
				Thread.sleep(1000);
				stop.set(true);
				conversation.join(Duration.ofSeconds(40));

				assertThat(failed.get()).isNull();
				assertThat(delivered.get()).as("the conversation went on").isGreaterThan(deliveredBeforeTheEnd);
				assertThat(Duration.ofNanos(slowest.get())).as("the slowest delivery meanwhile")
					.isLessThan(Duration.ofSeconds(2));
			}
		}
	}

	/**
	 * Pings in bursts short enough for each read to end on the poller. A read the machine
	 * holds up past the budget (a pause, a busy core) takes the connection off the
	 * poller, where its pongs wait as long as anywhere else: such a try is given up and
	 * made again.
	 */
	private static Duration pingInBurstsUntilRefused(Replica replica, Counter evicted) throws Exception {
		for (int attempt = 0; attempt < 5; attempt++) {
			double before = evicted.count();
			Chat quiet = Chats.serviceChat(replica);
			try (PingingSocket pinger = PingingSocket.open(replica, quiet.wsPath(), quiet.client().token(), false)) {
				Thread.sleep(300);
				CompletableFuture<Duration> refused = CompletableFuture.supplyAsync(() -> {
					try {
						return pinger.pingUntilRefused(Duration.ofSeconds(40), 16, Duration.ofMillis(5));
					}
					catch (InterruptedException ex) {
						throw new IllegalStateException(ex);
					}
				}, Executors.newVirtualThreadPerTaskExecutor());
				while (!refused.isDone() && evicted.count() == before) {
					Thread.sleep(10);
				}
				if (evicted.count() == before) {
					return refused.get();
				}
				pinger.close();
				refused.get();
			}
		}
		throw new AssertionError("every try was taken off the poller before its pongs filled the socket");
	}

}
