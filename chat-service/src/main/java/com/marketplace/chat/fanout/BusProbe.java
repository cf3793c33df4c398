package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.marketplace.chat.system.Phases;
import com.marketplace.chat.system.Ticker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Proves this replica's subscription works end to end: every probe interval it publishes
 * to a channel only it listens to and expects to hear it back. A replica that stops
 * hearing its probes (Redis down, or a subscription silently broken) reports the
 * {@code fanout} health DOWN (readiness), has the relay read every active chat from MySQL
 * on each tick, and restarts its subscriptions once Redis answers again.
 */
@Component("fanout")
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class BusProbe implements HealthIndicator, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(BusProbe.class);

	private final RedisFanout bus;

	private final ChatRelay relay;

	private final Duration interval;

	private final Duration timeout;

	private final String prefix = "chat-probe:" + UUID.randomUUID();

	/** Each shard's probe channel (one on a single Redis), and when it was last heard. */
	private final Map<String, Probe> probes = new ConcurrentHashMap<>();

	private volatile boolean healthy = true;

	/** The shards whose probe was not heard at the last tick. */
	private volatile List<String> unheard = List.of();

	private volatile boolean running;

	private Ticker timer;

	BusProbe(RedisFanout bus, ChatRelay relay, FanoutProperties properties) {
		this.bus = bus;
		this.relay = relay;
		this.interval = properties.probeInterval();
		this.timeout = properties.probeTimeout();
	}

	@Override
	public void start() {
		this.bus.onChannelDropped((channel) -> this.relay.catchUpAll());
		followShards();
		this.timer = Ticker.start("bus-probe").every(this.interval, this::probe);
		this.running = true;
	}

	void probe() {
		if (!this.running) {
			return;
		}
		boolean published = this.bus.ping();
		followShards();
		List<Probe> all = List.copyOf(this.probes.values());
		this.bus.publishRaw(all.stream().map(Probe::channel).toArray(String[]::new),
				all.stream().map((probe) -> "probe").toArray(String[]::new));
		long now = System.nanoTime();
		this.unheard = this.probes.entrySet()
			.stream()
			.filter((probe) -> now - probe.getValue().lastHeardNanos().get() >= this.timeout.toNanos())
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
		boolean heard = this.unheard.isEmpty();
		if (heard != this.healthy) {
			log.warn(
					heard ? "Fan-out bus recovered: delivering through Redis again"
							: "Fan-out bus unhealthy: no probe heard for {}; delivering from the database",
					this.timeout);
			this.healthy = heard;
			if (heard) {
				this.relay.catchUpAll();
			}
		}
		if (!heard) {
			this.relay.catchUpAll();
			if (published) {
				resubscribe();
			}
		}
	}

	/**
	 * One probe channel per shard as the client sees the shards now: a shard that appears
	 * (a failover's new primary) gets a channel and a grace of one timeout before it
	 * counts as unheard; a shard that is gone is no longer probed.
	 */
	private void followShards() {
		Map<String, String> channels = this.bus.channelPerShard(this.prefix);
		this.probes.entrySet().removeIf((shard) -> {
			boolean gone = !shard.getValue().channel().equals(channels.get(shard.getKey()));
			if (gone) {
				shard.getValue().listening().close();
			}
			return gone;
		});
		channels.forEach((shard, channel) -> this.probes.computeIfAbsent(shard, (key) -> {
			AtomicLong heard = new AtomicLong(System.nanoTime());
			// Should this fail, Redis is down: the probe is not heard, and the
			// resubscription once Redis answers again includes it.
			return new Probe(channel, heard, this.bus.listenAlways(channel, (message) -> heard.set(System.nanoTime())));
		}));
	}

	private record Probe(String channel, AtomicLong lastHeardNanos, Fanout.Listening listening) {
	}

	/**
	 * Redis answers but our own probe does not come back: the subscription is broken;
	 * start it over.
	 */
	private void resubscribe() {
		log.warn("Redis answers but the probe is not heard back; restarting the subscriptions");
		try {
			this.bus.resubscribe();
		}
		catch (RuntimeException ex) {
			log.warn("Restarting the subscriptions failed: {}", ex.toString());
		}
	}

	@Override
	public Health health() {
		if (this.healthy) {
			return Health.up().withDetail("shards", this.probes.size()).build();
		}
		return Health.down()
			.withDetail("reason", "own probe not heard back within " + this.timeout)
			.withDetail("unheard", this.unheard)
			.build();
	}

	@Override
	public void stop() {
		this.running = false;
		this.timer.close();
	}

	@Override
	public int getPhase() {
		return Phases.BUS_PROBE;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
