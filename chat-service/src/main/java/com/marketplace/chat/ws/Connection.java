package com.marketplace.chat.ws;

import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import com.marketplace.chat.chats.ChatKey;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.WebSocketSession;

/** One WebSocket connection on this replica: who it is, which chat, what it has seen. */
final class Connection {

	private static final Logger log = LoggerFactory.getLogger(Connection.class);

	final String id = UUID.randomUUID().toString();

	final WebSocketSession session;

	final ChatKey chat;

	final long userId;

	volatile Instant expiresAt;

	volatile long lastPongNanos = System.nanoTime();

	/** Which second of the ping interval this connection is pinged in. */
	final int pingSlot = ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);

	/** What the connection is given of its chat. */
	final Feed feed;

	/** Where its frames' work runs, in order ({@link FrameLane}). */
	final FrameLane lane = new FrameLane(this::isClosing, (failure) -> {
		log.error("Handling a frame of {} failed", this.id, failure);
		close(CloseStatus.SERVER_ERROR);
	});

	/** What {@link InlineReads} knows the connection by; null when it does not. */
	Object inlineReads;

	private final AtomicBoolean closing = new AtomicBoolean();

	private Outbox outbox;

	private Runnable slowReader;

	RateLimiter rateLimiter;

	private final FrameParts parts = new FrameParts();

	/**
	 * How a message or a signal (JSON as a raw client gets it) becomes the frame this
	 * receiver is sent.
	 */
	interface Framing {

		String frame(Feed.Outgoing message);

		String signal(String json);

	}

	/** A raw connection: messages and signals go out as their JSON frames themselves. */
	private static final Framing RAW = new Framing() {

		@Override
		public String frame(Feed.Outgoing message) {
			return message.frame().get();
		}

		@Override
		public String signal(String json) {
			return json;
		}

	};

	private final Framing framing;

	Connection(WebSocketSession session, ChatKey chat, long userId, Instant expiresAt, Counter delivered,
			LongConsumer feedWait) {
		this(session, chat, userId, expiresAt, delivered, feedWait, RAW);
	}

	/** Hands a signal to the receiver, framed its way. */
	void signal(String json) {
		send(this.framing.signal(json));
	}

	/**
	 * @param feedWait told how long each message that waited in the feed for one of this
	 * connection's sends to settle waited, in nanoseconds
	 */
	Connection(WebSocketSession session, ChatKey chat, long userId, Instant expiresAt, Counter delivered,
			LongConsumer feedWait, Framing framing) {
		this.session = session;
		this.chat = chat;
		this.userId = userId;
		this.expiresAt = expiresAt;
		this.framing = framing;
		this.feed = new Feed(userId, (message) -> {
			if (send(framing.frame(message))) {
				delivered.increment();
			}
		}, feedWait);
	}

	/**
	 * Gives the connection where its frames go, and what to do when its reader cannot
	 * keep up (close it with 1013); STOMP subscriptions of one session share both.
	 */
	void attach(Outbox outbox, Runnable slowReader) {
		this.outbox = outbox;
		this.slowReader = slowReader;
	}

	/** The reader did not keep up: closed with 1013. */
	void slowReader() {
		this.slowReader.run();
	}

	/** Adds one part of an incoming text message: see {@link FrameParts#add}. */
	String assemble(String part, boolean last, int maxChars) {
		return this.parts.add(part, last, maxChars);
	}

	private boolean joined;

	private boolean closed;

	/**
	 * Records that the relay now delivers to this connection.
	 * @return whether the connection was closed meanwhile, so its close found nothing to
	 * undo
	 */
	synchronized boolean markJoined() {
		this.joined = true;
		return this.closed;
	}

	/**
	 * Records that the connection has closed.
	 * @return whether the relay delivers to it, so the close must undo that
	 */
	synchronized boolean markClosed() {
		this.closed = true;
		return this.joined;
	}

	/**
	 * Characters queued to be sent, for a replay that waits for the reader to keep up.
	 */
	long queuedChars() {
		return this.outbox.queuedChars();
	}

	boolean isOversized() {
		return this.parts.isOversized();
	}

	boolean send(String frame) {
		return this.outbox.offer(frame);
	}

	/**
	 * Sends a WebSocket ping, a blocking write of the container's: while nothing else is
	 * written (the outbox held when it can be), so that a read on Tomcat's poller
	 * ({@link InlineReads}) never waits behind it.
	 */
	void ping() throws IOException {
		boolean held = this.outbox.tryHold();
		try {
			this.session.sendMessage(new PingMessage());
		}
		finally {
			if (held) {
				this.outbox.release();
			}
		}
	}

	/**
	 * Closes once, on a virtual thread: a close frame to a stuck reader may take a while.
	 * The outbox is held for good when it can be: nothing is written after the close
	 * frame, and a read on the poller never waits behind it.
	 */
	void close(CloseStatus status) {
		if (this.closing.compareAndSet(false, true)) {
			Thread.startVirtualThread(() -> {
				if (this.outbox != null) {
					this.outbox.tryHold();
				}
				try {
					this.session.close(status);
				}
				catch (IOException | RuntimeException ex) {
					log.debug("Closing {} failed: {}", this.id, ex.toString());
				}
			});
		}
	}

	boolean isClosing() {
		return this.closing.get() || !this.session.isOpen();
	}

}
