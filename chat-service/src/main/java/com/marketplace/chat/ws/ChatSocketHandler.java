package com.marketplace.chat.ws;

import java.time.Instant;
import java.util.List;

import com.marketplace.chat.chat.ChatAccessDeniedException;
import com.marketplace.chat.fanout.ChatRelay;
import com.marketplace.chat.message.InvalidMessageException;
import com.marketplace.chat.message.MessageHistory;
import com.marketplace.chat.message.Messages;
import com.marketplace.chat.message.StoredMessage;
import com.marketplace.chat.security.AuthenticatedUser;
import com.marketplace.chat.security.ChatUsers;
import com.marketplace.chat.security.InvalidTokenException;
import com.marketplace.chat.ws.Frames.BadFrame;
import com.marketplace.chat.ws.HandshakeGate.Handshake;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

	private final Messages messages;

	private final MessageHistory history;

	private final ChatRelay relay;

	private final LocalConnections connections;

	private final ChatUsers users;

	private final WsProperties properties;

	private final JsonMapper json;

	private final Counter slowReaders;

	private final Counter received;

	ChatSocketHandler(Messages messages, MessageHistory history, ChatRelay relay, LocalConnections connections,
			ChatUsers users, WsProperties properties, JsonMapper json, MeterRegistry meters) {
		this.slowReaders = Counter.builder("chat.ws.slow.reader.disconnects")
			.description("Connections closed with 1013 because they could not keep up")
			.register(meters);
		this.received = Counter.builder("chat.messages.received")
			.description("Messages stored from this replica's WebSocket connections")
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
				handshake.user().expiresAt());
		Session container = ((NativeWebSocketSession) session).getNativeSession(Session.class);
		container.getAsyncRemote().setSendTimeout(this.properties.sendTimeLimit().toMillis());
		connection.attach(new Outbox(container.getAsyncRemote(), this.properties.sendBufferLimit().toBytes(),
				(reason) -> {
					log.info("Closing slow reader {} of {}: {}", connection.id, connection.chat, reason);
					this.slowReaders.increment();
					connection.close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow a reader"));
				}));
		connection.rateLimiter = new RateLimiter(this.properties.messageRate(), this.properties.messageBurst());
		session.getAttributes().put(STATE, connection);
		this.connections.opened(connection);
		try {
			this.relay.join(connection.chat, (delivered) -> {
				List<StoredMessage> missed;
				if (handshake.afterId() != null) {
					missed = this.history.newestAfter(connection.chat, handshake.afterId(), this.properties.resumeLimit());
				}
				else if (handshake.seqAtHandshake() < delivered) {
					missed = this.history.bySeq(connection.chat, handshake.seqAtHandshake(), delivered);
				}
				else {
					missed = List.of();
				}
				long last = delivered;
				for (StoredMessage message : missed) {
					connection.send(encode(Frames.MessageOut.of(message)));
					last = Math.max(last, message.seq());
				}
				connection.lastSeq = last;
				this.connections.joined(connection);
			});
		}
		catch (RuntimeException ex) {
			log.warn("Could not start delivery for {}: {}", connection.chat, ex.toString());
			this.connections.closed(connection);
			session.getAttributes().remove(STATE);
			connection.close(CloseStatus.SERVER_ERROR);
		}
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

	private void send(Connection connection, Frames.Send send) {
		if (!connection.rateLimiter.tryAcquire()) {
			if (connection.rateLimiter.refusedInARow() >= this.properties.floodLimit()) {
				connection.close(CloseStatus.POLICY_VIOLATION.withReason("flooding"));
				return;
			}
			error(connection, "rate_limited", "Too many messages; slow down. This one was not sent.");
			return;
		}
		try {
			Messages.Sent sent = this.messages.send(connection.chat, connection.userId, send.content(),
					send.clientMessageId(), connection.id);
			connection.rememberSent(sent.message().id());
			this.received.increment();
			connection.send(encode(Frames.AckOut.of(sent.message())));
		}
		catch (InvalidMessageException ex) {
			error(connection, ex.code(), ex.getMessage());
		}
		catch (ChatAccessDeniedException ex) {
			error(connection, "forbidden", "You are no longer a participant of this chat.");
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Storing a message of {} failed: {}", connection.chat, ex.toString());
			error(connection, "unavailable", "The message could not be stored; it was not sent. Try again.");
		}
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
			this.connections.closed(connection);
			this.relay.leave(connection.chat);
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
