package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.UUID;
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

	private final String channel = "chat-probe:" + UUID.randomUUID();

	private final AtomicLong lastHeardNanos = new AtomicLong(System.nanoTime());

	private volatile boolean healthy = true;

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
		// Should this fail, Redis is down: the probe is not heard, and the resubscription
		// once Redis answers again includes it.
		this.bus.listenAlways(this.channel, (message) -> this.lastHeardNanos.set(System.nanoTime()));
		this.timer = Ticker.start("bus-probe").every(this.interval, this::probe);
		this.running = true;
	}

	void probe() {
		if (!this.running) {
			return;
		}
		boolean published = this.bus.ping();
		this.bus.publishRaw(new String[] { this.channel }, new String[] { "probe" });
		boolean heard = System.nanoTime() - this.lastHeardNanos.get() < this.timeout.toNanos();
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
		return this.healthy ? Health.up().build()
				: Health.down().withDetail("reason", "own probe not heard back within " + this.timeout).build();
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
