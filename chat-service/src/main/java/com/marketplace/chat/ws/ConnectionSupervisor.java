package com.marketplace.chat.ws;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.marketplace.chat.system.Phases;
import com.marketplace.chat.system.Ticker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Keeps this replica's connections honest: WebSocket pings, closing connections that stop
 * answering them, closing connections whose token expired (1008), and on shutdown
 * refusing new handshakes and closing every connection with 1001 so clients resume on
 * another replica. Its timer runs from {@link #start()} to {@link #stop()}; it stops
 * before the web server does ({@link Phases#CONNECTIONS}).
 */
@Component
class ConnectionSupervisor implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);

	private final LocalConnections connections;

	private final WsProperties properties;

	private volatile boolean running;

	private volatile boolean draining;

	private Ticker timer;

	/** Seconds of pinging so far; only the scheduler's thread touches it. */
	private long ticks;

	ConnectionSupervisor(@Lazy LocalConnections connections, WsProperties properties) {
		this.connections = connections;
		this.properties = properties;
	}

	boolean isDraining() {
		return this.draining;
	}

	/**
	 * Once a second: closes connections whose pong is overdue, and pings the share of
	 * them whose turn it is, so that each is pinged once per
	 * {@code chat.ws.ping-interval} and the pings of thousands of connections do not all
	 * go out in the same moment.
	 */
	void ping() {
		long deadline = System.nanoTime() - this.properties.pongTimeout().toNanos();
		int slots = (int) Math.max(1, this.properties.pingInterval().toSeconds());
		int slot = (int) (this.ticks++ % slots);
		for (Connection connection : this.connections.all()) {
			if (connection.isClosing()) {
				continue;
			}
			if (connection.lastPongNanos - deadline < 0) {
				log.info("Closing {}: no pong for {}", connection.id, this.properties.pongTimeout());
				connection.close(CloseStatus.NORMAL.withReason("no pong"));
				continue;
			}
			if (Math.floorMod(connection.pingSlot, slots) != slot) {
				continue;
			}
			Thread.startVirtualThread(() -> {
				try {
					connection.ping();
				}
				catch (IOException | RuntimeException ex) {
					log.debug("Ping to {} failed: {}", connection.id, ex.toString());
				}
			});
		}
	}

	void closeExpired() {
		Instant now = Instant.now();
		for (Connection connection : this.connections.all()) {
			if (!connection.isClosing() && ChatSocketHandler.expired(connection, now)) {
				connection.close(CloseStatus.POLICY_VIOLATION.withReason("token expired"));
			}
		}
	}

	@Override
	public void start() {
		this.timer = Ticker.start("connection-supervisor")
			.every(Duration.ofSeconds(1), this::ping)
			.every(Duration.ofSeconds(1), this::closeExpired);
		this.running = true;
	}

	/**
	 * Refuses new handshakes, closes every connection with 1001 and waits briefly for the
	 * close frames to go out.
	 */
	@Override
	public void stop() {
		this.draining = true;
		this.connections.all()
			.forEach((connection) -> connection.close(CloseStatus.GOING_AWAY.withReason("replica shutting down")));
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (this.connections.count() > 0 && System.nanoTime() < until) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.timer.close();
		this.running = false;
	}

	@Override
	public int getPhase() {
		return Phases.CONNECTIONS;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
