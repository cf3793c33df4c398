package com.marketplace.chat.ws;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatReads;
import com.marketplace.chat.fanout.Signals;
import com.marketplace.chat.message.Committed;
import com.marketplace.chat.message.Messages;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.AuthenticatedUser;
import com.marketplace.chat.security.ChatUser;
import com.marketplace.chat.security.ChatUsers;
import com.marketplace.chat.security.InvalidTokenException;
import com.marketplace.chat.ws.Frames.BadFrame;
import com.marketplace.chat.ws.HandshakeGate.Handshake;
import io.micrometer.core.instrument.Counter;
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
 * its sending connection; bad input gets an {@code error} frame and the connection stays
 * open. Delivery to the other connections happens through the relay.
 */
@Component
class ChatSocketHandler extends TextWebSocketHandler {

	private static final Logger log = LoggerFactory.getLogger(ChatSocketHandler.class);

	private static final String STATE = "chat.state";

	private final Messages messages;

	private final ChatFeeds feeds;

	private final LocalConnections connections;

	private final ChatUsers users;

	private final ChatAccess access;

	private final WsProperties properties;

	private final JsonMapper json;

	private final SocketMeters meters;

	private final ChatReads reads;

	private final Signals signals;

	private final Counter slowReaders;

	private final Counter received;

	private final InlineReads inlineReads;

	ChatSocketHandler(Messages messages, ChatFeeds feeds, LocalConnections connections, ChatUsers users,
			ChatAccess access, WsProperties properties, JsonMapper json, SocketMeters meters, ChatReads reads,
			Signals signals, InlineReads inlineReads) {
		this.inlineReads = inlineReads;
		this.reads = reads;
		this.signals = signals;
		this.messages = messages;
		this.feeds = feeds;
		this.connections = connections;
		this.users = users;
		this.access = access;
		this.properties = properties;
		this.json = json;
		this.meters = meters;
		this.slowReaders = meters.slowReaders(SocketMeters.RAW);
		this.received = meters.received(SocketMeters.RAW);
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		Handshake handshake = (Handshake) session.getAttributes().get(HandshakeGate.CONNECTION);
		Connection connection = new Connection(session, handshake.chat(), handshake.user().user().id(),
				handshake.user().expiresAt(), this.connections.deliveredCounter(), this.meters.feedWait::record);
		Session container = ((NativeWebSocketSession) session).getNativeSession(Session.class);
		container.getAsyncRemote().setSendTimeout(this.properties.sendTimeLimit().toMillis());
		Runnable slow = () -> {
			if (!connection.isClosing()) {
				this.slowReaders.increment();
			}
			connection.close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow a reader"));
		};
		Outbox outbox = new Outbox(container.getAsyncRemote(), this.properties.sendBufferLimit().toBytes(),
				(reason) -> {
					log.info("Closing slow reader {} of {}: {}", connection.id, connection.chat, reason);
					slow.run();
				}, this.meters.outboxWait);
		connection.attach(outbox, slow);
		connection.rateLimiter = new RateLimiter(this.properties.messageRate(), this.properties.messageBurst());
		session.getAttributes().put(STATE, connection);
		this.connections.opened(connection);
		this.feeds.start(connection, handshake.afterId(), handshake.seqAtHandshake());
		connection.inlineReads = this.inlineReads.add(container, outbox);
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
				connection.close(CloseStatus.TOO_BIG_TO_PROCESS
					.withReason("frame over " + this.properties.maxFrameSize() + " characters"));
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
		if (!connection.lane.run(() -> handle(connection, frame))) {
			error(connection, "unavailable",
					"This connection's earlier frames are still being handled; this one was not. Try again.");
		}
	}

	/**
	 * Does what a whole frame asks, in the frame's turn; what may wait (a read receipt's
	 * update, a token check) through the lane, off Tomcat's poller.
	 */
	private void handle(Connection connection, String frame) {
		try {
			switch (Frames.parse(this.json, frame)) {
				case Frames.Send send -> store(connection, () -> this.messages.submit(connection.chat,
						connection.userId, send.content(), send.clientMessageId()));
				case Frames.Edit edit -> store(connection,
						() -> this.messages.submitEdit(connection.chat, connection.userId, edit.id(), edit.content()));
				case Frames.Delete delete -> store(connection,
						() -> this.messages.submitDelete(connection.chat, connection.userId, delete.id()));
				case Frames.Ping ping -> connection.send(encode(Frames.PongOut.PONG));
				case Frames.Auth auth -> connection.lane.whileOpen(() -> refresh(connection, auth));
				case Frames.Read read -> connection.lane.whileOpen(() -> read(connection, read.seq()));
				case Frames.Typing typing ->
					connection.lane.whileOpen(() -> this.signals.typing(connection.chat, connection.userId));
			}
		}
		catch (BadFrame ex) {
			error(connection, ex.code(), ex.getMessage());
		}
	}

	/**
	 * Hands the message (or edit, or delete) to the writers and returns: the outcome
	 * arrives on the writer's thread right after the commit, where the connection learns
	 * its {@code seq} (so that no copy of it is echoed back) and gets its ack, before the
	 * bus hears of it.
	 */
	private void store(Connection connection, Supplier<CompletableFuture<Committed>> submit) {
		Submissions.submit(connection.chat, List.of(connection), submit, this.received, new Submissions.Answer() {

			@Override
			public void stored(Committed sent) {
				connection.send(encode(Frames.AckOut.of(sent.message())));
			}

			@Override
			public void refused(String code, String message) {
				error(connection, code, message);
			}

		});
	}

	/**
	 * Moves the user's read position. When it moved, every connection of the chat hears
	 * of it through the bus, this one included; when it did not (it was further already),
	 * this connection alone is told where it stands.
	 */
	private void read(Connection connection, long seq) {
		ChatReads.Position stored;
		try {
			stored = this.reads.markRead(new ChatUser(connection.userId, Set.of()), connection.chat, seq);
		}
		catch (ChatProblem ex) {
			error(connection, ex.code(), ex.getMessage());
			return;
		}
		catch (DataAccessException | TransactionException ex) {
			error(connection, "unavailable", "The read position could not be stored now; try again.");
			return;
		}
		if (!stored.moved()) {
			connection.send(encode(Frames.ReadOut.of(connection.userId, stored.seq())));
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
		boolean participant;
		try {
			participant = this.access.isParticipant(user.user(), connection.chat);
		}
		catch (DataAccessException | TransactionException ex) {
			error(connection, "unavailable",
					"The token could not be checked now; try again before the old one expires.");
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
	 * Frames arrive in parts of the container's small read buffer and are assembled here
	 * up to {@code chat.ws.max-frame-size}: an idle connection then holds a few KiB
	 * instead of a buffer as large as the largest frame.
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
			this.inlineReads.remove(connection.inlineReads);
			// After what its frames still do, and off the poller: leaving may talk to
			// Redis.
			connection.lane.blocking(() -> {
				this.feeds.stop(connection);
				this.connections.release(connection.userId);
			});
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
