package com.marketplace.chat.ws;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.security.AuthenticatedUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * One STOMP session on this replica: one WebSocket, the user its {@code CONNECT}
 * authenticated, and its subscriptions, each a receiver of one chat sharing the session's
 * outbox.
 */
final class StompSession {

	private static final Logger log = LoggerFactory.getLogger(StompSession.class);

	record Subscription(String id, Connection receiver) {
	}

	final WebSocketSession session;

	final long openedNanos = System.nanoTime();

	final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

	/** The token of the handshake, until {@code CONNECT} has used or ignored it. */
	volatile String handshakeToken;

	/** Set by {@code CONNECT}; {@code null} before. */
	volatile AuthenticatedUser user;

	volatile Instant expiresAt;

	volatile long lastReceivedNanos = System.nanoTime();

	volatile long lastHeartbeatNanos = System.nanoTime();

	/**
	 * How often the server sends a heart-beat (0: never), as negotiated by
	 * {@code CONNECT}.
	 */
	volatile long sendEveryNanos;

	/** How often the client promised a frame or heart-beat (0: never). */
	volatile long expectEveryNanos;

	Outbox outbox;

	RateLimiter rateLimiter;

	/** Where its frames' work runs, in order ({@link FrameLane}). */
	final FrameLane lane;

	/** What {@link InlineReads} knows the session by; null when it does not. */
	Object inlineReads;

	private final FrameParts parts = new FrameParts();

	private final AtomicBoolean closing = new AtomicBoolean();

	private volatile boolean closed;

	StompSession(WebSocketSession session, String handshakeToken) {
		this.session = session;
		this.handshakeToken = handshakeToken;
		this.lane = new FrameLane(this::isClosing, (failure) -> {
			log.error("Handling a frame of STOMP session {} failed", session.getId(), failure);
			close(CloseStatus.SERVER_ERROR);
		});
	}

	boolean isOversized() {
		return this.parts.isOversized();
	}

	/**
	 * The session's receivers of one chat: they must not be given what the session sends
	 * there.
	 */
	List<Connection> receiversOf(ChatKey chat) {
		return this.subscriptions.values()
			.stream()
			.map(Subscription::receiver)
			.filter((receiver) -> receiver.chat.equals(chat))
			.toList();
	}

	/** Adds one part of an incoming text message: see {@link FrameParts#add}. */
	String assemble(String part, boolean last, int maxChars) {
		return this.parts.add(part, last, maxChars);
	}

	void markClosed() {
		this.closed = true;
		this.closing.set(true);
	}

	boolean isClosing() {
		return this.closing.get() || this.closed || !this.session.isOpen();
	}

	/**
	 * Closes once, on a virtual thread: a close frame to a stuck reader may take a while.
	 */
	void close(CloseStatus status) {
		if (this.closing.compareAndSet(false, true)) {
			Thread.startVirtualThread(() -> closeNow(status));
		}
	}

	/**
	 * Closes once what is queued has been written (an ERROR or RECEIPT before the close),
	 * or after a second.
	 */
	void closeWhenFlushed(CloseStatus status) {
		if (this.closing.compareAndSet(false, true)) {
			Thread.startVirtualThread(() -> {
				long until = System.nanoTime() + 1_000_000_000L;
				while (this.outbox.queuedChars() > 0 && System.nanoTime() < until && this.session.isOpen()) {
					try {
						Thread.sleep(5);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						break;
					}
				}
				closeNow(status);
			});
		}
	}

	/**
	 * Holds the outbox for good when it can be: nothing is written after the close frame,
	 * and a read on Tomcat's poller never waits behind it.
	 */
	private void closeNow(CloseStatus status) {
		if (this.outbox != null) {
			this.outbox.tryHold();
		}
		try {
			this.session.close(status);
		}
		catch (IOException | RuntimeException ex) {
			log.debug("Closing STOMP session {} failed: {}", this.session.getId(), ex.toString());
		}
	}

}
