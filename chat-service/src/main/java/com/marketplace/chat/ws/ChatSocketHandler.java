package com.marketplace.chat.ws;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.fanout.ChatRelay;
import com.marketplace.chat.message.ChatMessage;
import com.marketplace.chat.message.Committed;
import com.marketplace.chat.message.MessageHistory;
import com.marketplace.chat.message.Messages;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.AuthenticatedUser;
import com.marketplace.chat.security.ChatUsers;
import com.marketplace.chat.security.InvalidTokenException;
import com.marketplace.chat.ws.Frames.BadFrame;
import com.marketplace.chat.ws.HandshakeGate.Handshake;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one handler of both chat kinds. A frame is parsed, a message stored and acked to
 * its sending connection; bad input gets an {@code error} frame and the connection
 * stays open. Delivery to the other connections happens through the relay.
 */
@Component
class ChatSocketHandler extends TextWebSocketHandler {

	private static final Logger log = LoggerFactory.getLogger(ChatSocketHandler.class);

	private static final String STATE = "chat.state";

	/** Messages a streamed replay reads from MySQL at a time. */
	static final int REPLAY_PAGE = 50;

	private final Messages messages;

	private final MessageHistory history;

	private final ChatRelay relay;

	private final LocalConnections connections;

	private final ChatUsers users;

	private final ChatAccess access;

	private final WsProperties properties;

	private final JsonMapper json;

	private final Counter slowReaders;

	private final Counter received;

	private final Timer outboxWait;

	ChatSocketHandler(Messages messages, MessageHistory history, ChatRelay relay, LocalConnections connections,
			ChatUsers users, ChatAccess access, WsProperties properties, JsonMapper json, MeterRegistry meters) {
		this.access = access;
		this.slowReaders = Counter.builder("chat.ws.slow.reader.disconnects")
			.description("Connections closed with 1013 because they could not keep up")
			.register(meters);
		this.received = Counter.builder("chat.messages.received")
			.description("Messages stored from this replica's WebSocket connections")
			.register(meters);
		this.outboxWait = Timer.builder("chat.ws.outbox.wait")
			.description("Time a frame waits in a connection's outbox before it is written")
			.publishPercentileHistogram()
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(meters);
		this.messages = messages;
		this.history = history;
		this.relay = relay;
		this.connections = connections;
		this.users = users;
		this.properties = properties;
		this.json = json;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		Handshake handshake = (Handshake) session.getAttributes().get(HandshakeGate.CONNECTION);
		Connection connection = new Connection(session, handshake.chat(), handshake.user().user().id(),
				handshake.user().expiresAt(), this.connections.deliveredCounter());
		Session container = ((NativeWebSocketSession) session).getNativeSession(Session.class);
		container.getAsyncRemote().setSendTimeout(this.properties.sendTimeLimit().toMillis());
		connection.attach(new Outbox(container.getAsyncRemote(), this.properties.sendBufferLimit().toBytes(),
				(reason) -> {
					log.info("Closing slow reader {} of {}: {}", connection.id, connection.chat, reason);
					this.slowReaders.increment();
					connection.close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow a reader"));
				}, this.outboxWait));
		connection.rateLimiter = new RateLimiter(this.properties.messageRate(), this.properties.messageBurst());
		session.getAttributes().put(STATE, connection);
		this.connections.opened(connection);
		try {
			long start = (handshake.afterId() != null)
					? this.history.replayStart(connection.chat, handshake.afterId(), this.properties.resumeLimit())
					: handshake.seqAtHandshake();
			this.relay.join(connection.chat, (delivered) -> {
				connection.feed.startAfter(start);
				if (delivered > start) {
					// Read outside the relay's hold on the chat, which a read would stall: the
					// replay streams, and live deliveries leave the connection to it until it
					// has caught up.
					connection.feed.replaying(true);
					Thread.ofVirtual().name("replay-" + connection.id).start(() -> replay(connection));
				}
				this.connections.joined(connection);
			});
		}
		catch (RuntimeException ex) {
			log.warn("Could not start delivery for {}: {}", connection.chat, ex.toString());
			connection.close(CloseStatus.SERVER_ERROR);
			return;
		}
		if (connection.markJoined()) {
			// Closed while joining: undo what the close could not see yet.
			this.connections.closed(connection);
			this.relay.leave(connection.chat);
		}
	}

	/**
	 * Streams a long resume from MySQL a page at a time, never putting more than a quarter
	 * of the send buffer in the connection's outbox, so a reader that keeps up is never
	 * closed for being slow and the chat's deliveries never wait for it. Once it has sent
	 * everything the relay has delivered, it goes live while the relay holds the chat, so
	 * no delivery can come between; if more arrived meanwhile, it reads that first.
	 */
	private void replay(Connection connection) {
		try {
			while (!connection.isClosing()) {
				long delivered = this.relay.deliveredSeq(connection.chat);
				if (delivered < 0) {
					return;
				}
				long from = connection.feed.lastSeq();
				if (from >= delivered) {
					boolean live = this.relay.whileHolding(connection.chat, (now) -> {
						boolean caughtUp = connection.feed.lastSeq() >= now;
						if (caughtUp) {
							connection.feed.replaying(false);
						}
						return caughtUp;
					});
					if (live) {
						return;
					}
					continue;
				}
				for (ChatMessage message : this.history.bySeq(connection.chat, from,
						Math.min(delivered, from + REPLAY_PAGE))) {
					if (!awaitRoom(connection)) {
						return;
					}
					replayOne(connection, message);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			log.warn("Replay to {} of {} failed: {}", connection.id, connection.chat, ex.toString());
			connection.close(CloseStatus.SERVER_ERROR);
		}
	}

	/** Waits until the outbox has room for more of a replay; {@code false} once the connection is going. */
	private boolean awaitRoom(Connection connection) throws InterruptedException {
		long deadline = System.nanoTime() + this.properties.sendTimeLimit().toNanos();
		long highWater = this.properties.sendBufferLimit().toBytes() / 2 / 4;
		while (connection.queuedChars() > highWater) {
			if (connection.isClosing()) {
				return false;
			}
			if (System.nanoTime() > deadline) {
				this.slowReaders.increment();
				connection.close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow a reader"));
				return false;
			}
			Thread.sleep(5);
		}
		return !connection.isClosing();
	}

	private void replayOne(Connection connection, ChatMessage message) {
		connection.feed.replayed(new Feed.Outgoing(message.seq(), message.senderId(), this.connections.encodeOnce(message)));
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage text) {
		Connection connection = (Connection) session.getAttributes().get(STATE);
		if (connection == null) {
			return;
		}
		String frame = connection.assemble(text.getPayload(), text.isLast(), this.properties.maxFrameSize());
		if (frame == null) {
			if (connection.isOversized()) {
				connection.close(CloseStatus.TOO_BIG_TO_PROCESS.withReason("frame over " + this.properties.maxFrameSize()
						+ " characters"));
			}
			return;
		}
		if (!connection.rateLimiter.tryAcquire()) {
			if (connection.rateLimiter.refusedInARow() >= this.properties.floodLimit()) {
				connection.close(CloseStatus.POLICY_VIOLATION.withReason("flooding"));
				return;
			}
			error(connection, "rate_limited", "Too many frames; slow down. This one was not handled.");
			return;
		}
		try {
			switch (Frames.parse(this.json, frame)) {
				case Frames.Send send -> send(connection, send);
				case Frames.Ping ping -> connection.send(encode(Frames.PongOut.PONG));
				case Frames.Auth auth -> refresh(connection, auth);
			}
		}
		catch (BadFrame ex) {
			error(connection, ex.code(), ex.getMessage());
		}
	}

	/**
	 * Hands the message to the writers and returns: the outcome arrives on the writer's
	 * thread right after the commit, where the connection learns its message's {@code seq}
	 * (so that no copy of it is echoed back) and gets its ack, before the bus hears of it.
	 */
	private void send(Connection connection, Frames.Send send) {
		CompletableFuture<Committed> stored;
		connection.feed.sendStarted();
		try {
			stored = this.messages.submit(connection.chat, connection.userId, send.content(), send.clientMessageId());
		}
		catch (ChatProblem ex) {
			connection.feed.sendSettled(-1);
			error(connection, ex.code(), ex.getMessage());
			return;
		}
		catch (RuntimeException ex) {
			connection.feed.sendSettled(-1);
			throw ex;
		}
		stored.whenComplete((sent, failure) -> {
			connection.feed.sendSettled((sent != null) ? sent.message().seq() : -1);
			if (sent != null) {
				this.received.increment();
				connection.send(encode(Frames.AckOut.of(sent.message())));
				return;
			}
			Throwable cause = (failure instanceof CompletionException wrapped && wrapped.getCause() != null)
					? wrapped.getCause() : failure;
			if (cause instanceof ChatProblem refused) {
				error(connection, refused.code(), refused.getMessage());
			}
			else {
				if (cause instanceof DataAccessException || cause instanceof TransactionException) {
					log.warn("Storing a message of {} failed: {}", connection.chat, cause.toString());
				}
				else {
					log.error("Storing a message of {} failed", connection.chat, cause);
				}
				error(connection, "unavailable", "The message could not be stored; it was not sent. Try again.");
			}
		});
	}

	private void refresh(Connection connection, Frames.Auth auth) {
		AuthenticatedUser user;
		try {
			user = this.users.authenticate(auth.token());
		}
		catch (InvalidTokenException ex) {
			error(connection, "invalid_token", "The token was not accepted: " + ex.getMessage());
			return;
		}
		if (user.user().id() != connection.userId) {
			error(connection, "invalid_token", "The token belongs to another user.");
			return;
		}
		boolean participant;
		try {
			participant = this.access.isParticipant(user.user(), connection.chat);
		}
		catch (DataAccessException | TransactionException ex) {
			error(connection, "unavailable", "The token could not be checked now; try again before the old one expires.");
			return;
		}
		if (!participant) {
			error(connection, "forbidden", "You are no longer a participant of this chat.");
			connection.close(LocalConnections.NOT_A_PARTICIPANT);
			return;
		}
		connection.expiresAt = user.expiresAt();
		connection.send(encode(new Frames.AuthOut("authenticated", user.expiresAt())));
	}

	/**
	 * Frames arrive in parts of the container's small read buffer and are assembled here up
	 * to {@code chat.ws.max-frame-size}: an idle connection then holds a few KiB instead of
	 * a buffer as large as the largest frame.
	 */
	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	@Override
	protected void handlePongMessage(WebSocketSession session, PongMessage message) {
		Connection connection = (Connection) session.getAttributes().get(STATE);
		if (connection != null) {
			connection.lastPongNanos = System.nanoTime();
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		log.debug("Transport error on {}: {}", session.getId(), exception.toString());
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		Connection connection = (Connection) session.getAttributes().remove(STATE);
		if (connection != null) {
			boolean joined = connection.markClosed();
			this.connections.closed(connection);
			this.connections.release(connection.userId);
			if (joined) {
				this.relay.leave(connection.chat);
			}
		}
	}

	private void error(Connection connection, String code, String message) {
		connection.send(encode(Frames.ErrorOut.of(code, message)));
	}

	private String encode(Object frame) {
		return this.json.writeValueAsString(frame);
	}

	static boolean expired(Connection connection, Instant now) {
		return connection.expiresAt != null && !connection.expiresAt.isAfter(now);
	}

}
