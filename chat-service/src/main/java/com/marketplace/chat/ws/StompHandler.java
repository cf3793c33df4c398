package com.marketplace.chat.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatReads;
import com.marketplace.chat.chats.ChatState;
import com.marketplace.chat.fanout.Signals;
import com.marketplace.chat.message.Committed;
import com.marketplace.chat.message.Messages;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.AuthenticatedUser;
import com.marketplace.chat.security.ChatUser;
import com.marketplace.chat.security.ChatUsers;
import com.marketplace.chat.security.InvalidTokenException;
import com.marketplace.chat.system.Phases;
import com.marketplace.chat.system.Ticker;
import com.marketplace.chat.ws.StompSession.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompConversionException;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * STOMP 1.2 at {@code /ws/stomp}: a second front door to the same pipeline. Frames are
 * read and written with Spring's STOMP codec; there is no message broker, because the
 * relay is the broker: a {@code SUBSCRIBE} makes a receiver of the chat exactly as a raw
 * connection is one ({@link ChatFeeds}), and a {@code SEND} is stored by the same
 * writers, so raw and STOMP clients of one chat see the same messages in the same order.
 * <p>
 * Refusals that end the session (a bad or missing token at {@code CONNECT}, a malformed
 * frame, flooding, an expired token) are an {@code ERROR} frame and then the close, as
 * STOMP requires. A refused {@code SUBSCRIBE} or {@code SEND} is answered with an
 * {@code ERROR} frame carrying the raw endpoints' error code in its {@code message}
 * header (and the {@code receipt-id} when a receipt was asked for), and the session stays
 * open for the next one.
 */
@Component
class StompHandler extends TextWebSocketHandler implements SubProtocolCapable, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StompHandler.class);

	private static final String STATE = "chat.stomp";

	/** What the server offers both ways: a frame or heart-beat at least every 10 s. */
	static final long HEARTBEAT_MILLIS = 10_000;

	/** A session that has not sent {@code CONNECT} by then is closed. */
	static final long CONNECT_WITHIN_MILLIS = 10_000;

	/** Subscriptions one session may hold. */
	static final int MAX_SUBSCRIPTIONS = 20;

	static final String AUTH_DESTINATION = "/app/auth";

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

	private final Counter received;

	private final Counter slowReaders;

	private final InlineReads inlineReads;

	private final StompFrames frames = new StompFrames();

	private final StompDecoder decoder = new StompDecoder();

	private final Map<String, StompSession> sessions = new ConcurrentHashMap<>();

	private volatile boolean running;

	private Ticker timer;

	StompHandler(Messages messages, ChatFeeds feeds, LocalConnections connections, ChatUsers users, ChatAccess access,
			WsProperties properties, JsonMapper json, SocketMeters meters, MeterRegistry registry, ChatReads reads,
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
		this.received = meters.received(SocketMeters.STOMP);
		this.slowReaders = meters.slowReaders(SocketMeters.STOMP);
		Gauge.builder("chat.ws.connections", this.sessions, Map::size)
			.description("Open WebSocket connections on this replica")
			.tag("protocol", SocketMeters.STOMP)
			.register(registry);
	}

	@Override
	public List<String> getSubProtocols() {
		return List.of("v12.stomp");
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		if (!this.running) {
			closeQuietly(session, CloseStatus.GOING_AWAY.withReason("replica shutting down"));
			return;
		}
		StompSession stomp = new StompSession(session,
				(String) session.getAttributes().remove(HandshakeGate.STOMP_TOKEN));
		Session container = ((NativeWebSocketSession) session).getNativeSession(Session.class);
		container.getAsyncRemote().setSendTimeout(this.properties.sendTimeLimit().toMillis());
		stomp.outbox = new Outbox(container.getAsyncRemote(), this.properties.sendBufferLimit().toBytes(), (reason) -> {
			log.info("Closing slow STOMP reader {}: {}", session.getId(), reason);
			slowReader(stomp);
		}, this.meters.outboxWait);
		stomp.rateLimiter = new RateLimiter(this.properties.messageRate(), this.properties.messageBurst());
		session.getAttributes().put(STATE, stomp);
		this.sessions.put(session.getId(), stomp);
		stomp.inlineReads = this.inlineReads.add(container, stomp.outbox);
	}

	private void slowReader(StompSession stomp) {
		if (!stomp.isClosing()) {
			this.slowReaders.increment();
		}
		stomp.close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow a reader"));
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage text) {
		StompSession stomp = (StompSession) session.getAttributes().get(STATE);
		if (stomp == null || stomp.isClosing()) {
			return;
		}
		stomp.lastReceivedNanos = System.nanoTime();
		String whole = stomp.assemble(text.getPayload(), text.isLast(), this.properties.maxFrameSize());
		if (whole == null) {
			if (stomp.isOversized()) {
				stomp.close(CloseStatus.TOO_BIG_TO_PROCESS
					.withReason("frame over " + this.properties.maxFrameSize() + " characters"));
			}
			return;
		}
		ByteBuffer bytes = ByteBuffer.wrap(whole.getBytes(StandardCharsets.UTF_8));
		List<Message<byte[]>> frames;
		try {
			frames = this.decoder.decode(bytes);
		}
		catch (StompConversionException ex) {
			fatal(stomp, null, "invalid_frame", "Not a STOMP frame: " + ex.getMessage());
			return;
		}
		if (bytes.hasRemaining()) {
			fatal(stomp, null, "invalid_frame", "Incomplete STOMP frame: send each frame whole in one message.");
			return;
		}
		for (Message<byte[]> frame : frames) {
			StompHeaderAccessor headers = StompHeaderAccessor.wrap(frame);
			if (headers.isHeartbeat() || stomp.isClosing()) {
				continue;
			}
			if (!stomp.rateLimiter.tryAcquire()) {
				if (stomp.rateLimiter.refusedInARow() >= this.properties.floodLimit()) {
					fatal(stomp, null, "flooding", "Too many frames; closing.");
					return;
				}
				error(stomp, headers.getReceipt(), "rate_limited",
						"Too many frames; slow down. This one was not handled.");
				continue;
			}
			byte[] body = frame.getPayload();
			if (!stomp.lane.run(() -> handle(stomp, headers, body))) {
				error(stomp, headers.getReceipt(), "unavailable",
						"This session's earlier frames are still being handled; this one was not. Try again.");
			}
		}
	}

	/**
	 * Does what a frame asks, in its turn: a message's SEND where it was read, everything
	 * else, which may wait for the database, a token check or Redis, through the lane,
	 * off Tomcat's poller.
	 */
	private void handle(StompSession stomp, StompHeaderAccessor headers, byte[] body) {
		if (headers.getCommand() != StompCommand.SEND) {
			stomp.lane.whileOpen(() -> handleCommand(stomp, headers, body));
			return;
		}
		handleCommand(stomp, headers, body);
	}

	private void handleCommand(StompSession stomp, StompHeaderAccessor headers, byte[] body) {
		StompCommand command = headers.getCommand();
		if (command == StompCommand.CONNECT || command == StompCommand.STOMP) {
			connect(stomp, headers);
			return;
		}
		if (stomp.user == null) {
			fatal(stomp, headers.getReceipt(), "not_connected", "Send CONNECT first.");
			return;
		}
		switch (command) {
			case SUBSCRIBE -> subscribe(stomp, headers);
			case UNSUBSCRIBE -> unsubscribe(stomp, headers);
			case SEND -> send(stomp, headers, body);
			case DISCONNECT -> {
				receipt(stomp, headers.getReceipt(), Map.of());
				stomp.closeWhenFlushed(CloseStatus.NORMAL);
			}
			case ACK, NACK -> {
				// Every subscription is acknowledged automatically.
			}
			default -> error(stomp, headers.getReceipt(), "unsupported",
					command + " is not supported (transactions are not).");
		}
	}

	private void connect(StompSession stomp, StompHeaderAccessor headers) {
		if (stomp.user != null) {
			fatal(stomp, null, "invalid_frame", "Already connected.");
			return;
		}
		var versions = headers.getAcceptVersion();
		if (versions != null && !versions.isEmpty() && !versions.contains("1.2")) {
			fatal(stomp, null, "unsupported_version", "Only STOMP 1.2 is spoken here.");
			return;
		}
		String token = bearer(headers.getFirstNativeHeader("Authorization"));
		if (token == null) {
			token = stomp.handshakeToken;
		}
		stomp.handshakeToken = null;
		if (token == null) {
			fatal(stomp, null, "no_token", "A token is required: the Authorization header of CONNECT "
					+ "(Bearer <jwt>), or the token query parameter or access_token cookie of the handshake.");
			return;
		}
		AuthenticatedUser user;
		try {
			user = this.users.authenticate(token);
		}
		catch (InvalidTokenException ex) {
			fatal(stomp, null, "invalid_token", "The token was not accepted: " + ex.getMessage());
			return;
		}
		long userId = user.user().id();
		switch (this.connections.reserve(userId, this.properties.maxConnectionsPerUser(),
				this.properties.maxConnections())) {
			case USER_FULL -> {
				fatal(stomp, null, "user_limit", "You hold as many connections to this replica as a user may.");
				return;
			}
			case REPLICA_FULL -> {
				fatal(stomp, null, "full", "This replica is full; connect again to reach another.");
				return;
			}
			case RESERVED -> {
				// given back when the session closes
			}
		}
		long[] asked = headers.getHeartbeat();
		stomp.sendEveryNanos = (asked[1] > 0) ? TimeUnit.MILLISECONDS.toNanos(Math.max(HEARTBEAT_MILLIS, asked[1])) : 0;
		stomp.expectEveryNanos = (asked[0] > 0) ? TimeUnit.MILLISECONDS.toNanos(Math.max(HEARTBEAT_MILLIS, asked[0]))
				: 0;
		stomp.expiresAt = user.expiresAt();
		stomp.user = user;
		stomp.outbox.offer(this.frames.connected(userId, HEARTBEAT_MILLIS));
	}

	private void subscribe(StompSession stomp, StompHeaderAccessor headers) {
		String id = headers.getSubscriptionId();
		String destination = headers.getDestination();
		String receipt = headers.getReceipt();
		if (id == null || destination == null) {
			error(stomp, receipt, "invalid_frame", "SUBSCRIBE needs an id and a destination.");
			return;
		}
		Optional<ChatKey> chat = StompDestinations.chat(StompDestinations.TOPIC, destination);
		if (chat.isEmpty()) {
			error(stomp, receipt, "invalid_destination", "No such destination: " + destination
					+ " (subscribe to /topic/service-chats.{id} or /topic/support-chats.{id}).");
			return;
		}
		if (stomp.subscriptions.containsKey(id)) {
			error(stomp, receipt, "invalid_frame", "Subscription id " + id + " is in use.");
			return;
		}
		if (stomp.subscriptions.size() >= MAX_SUBSCRIPTIONS) {
			error(stomp, receipt, "too_many_subscriptions",
					"A session holds at most " + MAX_SUBSCRIPTIONS + " subscriptions.");
			return;
		}
		Long afterId = null;
		String after = headers.getFirstNativeHeader("after-id");
		if (after != null) {
			afterId = parseLong(after);
			if (afterId == null || afterId < 0) {
				error(stomp, receipt, "bad_after_id", "after-id must be a non-negative message id.");
				return;
			}
		}
		long userId = stomp.user.user().id();
		ChatState state;
		try {
			state = this.access.state(chat.get()).orElse(null);
		}
		catch (DataAccessException | TransactionException ex) {
			error(stomp, receipt, "unavailable", "The subscription could not be checked now; try again.");
			return;
		}
		if (state == null || !state.participants().includes(userId)) {
			error(stomp, receipt, "forbidden", destination + ": the chat does not exist or you are not a participant.");
			return;
		}
		Connection receiver = new Connection(stomp.session, chat.get(), userId, stomp.expiresAt,
				this.connections.deliveredCounter(), this.meters.feedWait::record, new Connection.Framing() {

					@Override
					public String frame(Feed.Outgoing message) {
						return StompHandler.this.frames.message(id, destination, message);
					}

					@Override
					public String signal(String json) {
						return StompHandler.this.frames.signal(id, destination, json);
					}

				});
		receiver.attach(stomp.outbox, () -> slowReader(stomp));
		Subscription subscription = new Subscription(id, receiver);
		stomp.subscriptions.put(id, subscription);
		if (stomp.isClosing()) {
			stomp.subscriptions.remove(id);
			return;
		}
		if (this.feeds.start(receiver, afterId, state.lastSeq())) {
			receipt(stomp, receipt, Map.of());
		}
	}

	private void unsubscribe(StompSession stomp, StompHeaderAccessor headers) {
		String id = headers.getSubscriptionId();
		Subscription subscription = (id != null) ? stomp.subscriptions.remove(id) : null;
		if (subscription == null) {
			error(stomp, headers.getReceipt(), "invalid_frame", "No subscription with id " + id + ".");
			return;
		}
		this.feeds.stop(subscription.receiver());
		receipt(stomp, headers.getReceipt(), Map.of());
	}

	private void send(StompSession stomp, StompHeaderAccessor headers, byte[] body) {
		String destination = headers.getDestination();
		String receipt = headers.getReceipt();
		if (AUTH_DESTINATION.equals(destination)) {
			stomp.lane.whileOpen(() -> refresh(stomp, headers, body));
			return;
		}
		Optional<ChatKey> target = (destination != null) ? StompDestinations.chat(StompDestinations.APP, destination)
				: Optional.empty();
		if (target.isEmpty()) {
			error(stomp, receipt, "invalid_destination", "No such destination: " + destination
					+ " (send to /app/service-chats.{id}, /app/support-chats.{id} or /app/auth).");
			return;
		}
		FrameFields payload;
		try {
			payload = FrameFields.read(this.json, body);
		}
		catch (Frames.BadFrame ex) {
			error(stomp, receipt, "invalid_json", ("invalid_json".equals(ex.code()) && body.length > 0)
					? "The body is not valid JSON." : "The body must be a JSON object: {\"content\": \"...\"}.");
			return;
		}
		if (payload.type != null && payload.type != FrameFields.NULL && !"message".equals(payload.type)) {
			String type = (payload.type instanceof String named) ? named : "";
			stomp.lane.whileOpen(() -> signal(stomp, target.get(), type, payload, receipt));
			return;
		}
		String clientMessageId = headers.getFirstNativeHeader("client-message-id");
		if (clientMessageId == null) {
			try {
				clientMessageId = Frames.optional(payload.clientMessageId, "client_message_id",
						"invalid_client_message_id");
			}
			catch (Frames.BadFrame ex) {
				error(stomp, receipt, ex.code(), "client_message_id must be a string.");
				return;
			}
		}
		String text = (payload.content instanceof String content) ? content : null;
		String retryId = clientMessageId;
		store(stomp, target.get(), receipt, clientMessageId,
				() -> this.messages.submit(target.get(), stomp.user.user().id(), text, retryId));
	}

	/**
	 * Hands a message, edit or delete to the writers, as the raw endpoint does; the
	 * RECEIPT (when asked for) follows the commit with the stored {@code id} and
	 * {@code seq}, and for an edit or delete the {@code message-id} it changed.
	 */
	private void store(StompSession stomp, ChatKey chat, String receipt, String clientMessageId,
			Supplier<CompletableFuture<Committed>> submit) {
		Submissions.submit(chat, stomp.receiversOf(chat), submit, this.received, new Submissions.Answer() {

			@Override
			public void stored(Committed sent) {
				Map<String, String> stamp = new LinkedHashMap<>();
				stamp.put("id", Long.toString(sent.message().id()));
				stamp.put("seq", Long.toString(sent.message().seq()));
				if (sent.message().clientMessageId() != null) {
					stamp.put("client-message-id", sent.message().clientMessageId());
				}
				if (sent.message().targetId() != null) {
					stamp.put("message-id", Long.toString(sent.message().targetId()));
				}
				receipt(stomp, receipt, stamp);
			}

			@Override
			public void refused(String code, String message) {
				sendError(stomp, receipt, clientMessageId, code, message);
			}

		});
	}

	/**
	 * {@code {"type": "typing"}}, {@code {"type": "read", "seq": N}}, {@code {"type":
	 * "edit", "id": N, "content": "..."}} or {@code {"type": "delete", "id": N}} sent to
	 * a chat: as the raw frames of the same types. A read that did not move the position
	 * gets its stored value back in the RECEIPT's {@code seq}.
	 */
	private void signal(StompSession stomp, ChatKey chat, String type, FrameFields payload, String receipt) {
		long userId = stomp.user.user().id();
		switch (type) {
			case "typing" -> {
				if (stomp.receiversOf(chat).isEmpty() && !isParticipant(stomp, chat)) {
					error(stomp, receipt, "forbidden", "You are not a participant of this chat.");
					return;
				}
				this.signals.typing(chat, userId);
				receipt(stomp, receipt, Map.of());
			}
			case "read" -> {
				long seq;
				try {
					seq = Frames.seq(payload.seq);
				}
				catch (Frames.BadFrame ex) {
					error(stomp, receipt, ex.code(), ex.getMessage());
					return;
				}
				try {
					ChatReads.Position stored = this.reads.markRead(new ChatUser(userId, Set.of()), chat, seq);
					receipt(stomp, receipt, Map.of("seq", Long.toString(stored.seq())));
				}
				catch (ChatProblem ex) {
					error(stomp, receipt, ex.code(), ex.getMessage());
				}
				catch (DataAccessException | TransactionException ex) {
					error(stomp, receipt, "unavailable", "The read position could not be stored now; try again.");
				}
			}
			case "edit", "delete" -> {
				long messageId;
				String text = null;
				try {
					messageId = Frames.messageId(payload.id);
					if (type.equals("edit")) {
						text = Frames.required(payload.content, "content", "invalid_content");
					}
				}
				catch (Frames.BadFrame ex) {
					error(stomp, receipt, ex.code(), ex.getMessage());
					return;
				}
				String content = text;
				store(stomp, chat, receipt, null,
						() -> (content != null) ? this.messages.submitEdit(chat, userId, messageId, content)
								: this.messages.submitDelete(chat, userId, messageId));
			}
			default -> error(stomp, receipt, "unknown_type",
					"Unknown type '" + type + "'; expected message, read, typing, edit or delete.");
		}
	}

	private boolean isParticipant(StompSession stomp, ChatKey chat) {
		try {
			return this.access.isParticipant(stomp.user.user(), chat);
		}
		catch (DataAccessException | TransactionException ex) {
			return false;
		}
	}

	/**
	 * A fresh token for the same user, in the body ({@code {"token": "..."}}) or the
	 * Authorization header.
	 */
	private void refresh(StompSession stomp, StompHeaderAccessor headers, byte[] body) {
		String receipt = headers.getReceipt();
		String token = bearer(headers.getFirstNativeHeader("Authorization"));
		if (token == null && body.length > 0) {
			try {
				token = (FrameFields.read(this.json, body).token instanceof String field) ? field : null;
			}
			catch (Frames.BadFrame ex) {
				if ("invalid_json".equals(ex.code())) {
					error(stomp, receipt, "invalid_json", "The body is not valid JSON.");
					return;
				}
			}
		}
		if (token == null) {
			error(stomp, receipt, "invalid_token",
					"Send the fresh token as {\"token\": \"...\"} or an Authorization header.");
			return;
		}
		AuthenticatedUser user;
		try {
			user = this.users.authenticate(token);
		}
		catch (InvalidTokenException ex) {
			error(stomp, receipt, "invalid_token", "The token was not accepted: " + ex.getMessage());
			return;
		}
		if (user.user().id() != stomp.user.user().id()) {
			error(stomp, receipt, "invalid_token", "The token belongs to another user.");
			return;
		}
		stomp.user = user;
		stomp.expiresAt = user.expiresAt();
		stomp.subscriptions.values().forEach((subscription) -> subscription.receiver().expiresAt = user.expiresAt());
		receipt(stomp, receipt,
				(user.expiresAt() != null) ? Map.of("expires-at", user.expiresAt().toString()) : Map.of());
	}

	private void receipt(StompSession stomp, String receipt, Map<String, String> extra) {
		if (receipt != null) {
			stomp.outbox.offer(this.frames.receipt(receipt, extra));
		}
	}

	/** A refusal the session survives. */
	private void error(StompSession stomp, String receipt, String code, String text) {
		stomp.outbox.offer(this.frames.error(receipt, code, null, text));
	}

	/**
	 * A refused SEND names the {@code client-message-id} it was sent with, as its RECEIPT
	 * would.
	 */
	private void sendError(StompSession stomp, String receipt, String clientMessageId, String code, String text) {
		stomp.outbox.offer(this.frames.error(receipt, code, clientMessageId, text));
	}

	/**
	 * A refusal that ends the session: the ERROR frame, then the close once it has been
	 * written.
	 */
	private void fatal(StompSession stomp, String receipt, String code, String text) {
		stomp.outbox.offer(this.frames.error(receipt, code, null, text));
		stomp.closeWhenFlushed(CloseStatus.POLICY_VIOLATION.withReason(code));
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		StompSession stomp = (StompSession) session.getAttributes().remove(STATE);
		if (stomp == null) {
			return;
		}
		this.sessions.remove(session.getId());
		stomp.markClosed();
		this.inlineReads.remove(stomp.inlineReads);
		// After what its frames still do, and off the poller: leaving may talk to Redis.
		stomp.lane.blocking(() -> {
			stomp.subscriptions.values().forEach((subscription) -> this.feeds.stop(subscription.receiver()));
			stomp.subscriptions.clear();
			if (stomp.user != null) {
				this.connections.release(stomp.user.user().id());
			}
		});
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		log.debug("Transport error on STOMP session {}: {}", session.getId(), exception.toString());
	}

	/**
	 * Once a second: heart-beats to the sessions that asked for them, and the close of
	 * sessions that went silent (no frame or heart-beat for three intervals), never sent
	 * {@code CONNECT}, or whose token expired.
	 */
	private void supervise() {
		long now = System.nanoTime();
		Instant wallClock = Instant.now();
		for (StompSession stomp : this.sessions.values()) {
			if (stomp.isClosing()) {
				continue;
			}
			if (stomp.user == null) {
				if (now - stomp.openedNanos > TimeUnit.MILLISECONDS.toNanos(CONNECT_WITHIN_MILLIS)) {
					fatal(stomp, null, "not_connected", "No CONNECT frame within " + CONNECT_WITHIN_MILLIS + " ms.");
				}
				continue;
			}
			if (stomp.expiresAt != null && !stomp.expiresAt.isAfter(wallClock)) {
				fatal(stomp, null, "token_expired", "The token expired; connect again with a fresh one.");
				continue;
			}
			if (stomp.expectEveryNanos > 0 && now - stomp.lastReceivedNanos > 3 * stomp.expectEveryNanos) {
				stomp.close(CloseStatus.NORMAL.withReason("no heart-beat"));
				continue;
			}
			if (stomp.sendEveryNanos > 0 && now - stomp.lastHeartbeatNanos >= stomp.sendEveryNanos) {
				stomp.lastHeartbeatNanos = now;
				stomp.outbox.offer("\n");
			}
		}
	}

	@Override
	public void start() {
		this.timer = Ticker.start("stomp-supervisor").every(Duration.ofSeconds(1), this::supervise);
		this.running = true;
	}

	/**
	 * Closes every session with 1001, as the raw endpoints do, so that clients resume on
	 * another replica.
	 */
	@Override
	public void stop() {
		this.running = false;
		this.timer.close();
		this.sessions.values()
			.forEach((stomp) -> stomp.close(CloseStatus.GOING_AWAY.withReason("replica shutting down")));
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!this.sessions.isEmpty() && System.nanoTime() < until) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Phases.CONNECTIONS;
	}

	private static String bearer(String header) {
		if (header == null) {
			return null;
		}
		String value = header.strip();
		return (value.regionMatches(true, 0, "Bearer ", 0, 7)) ? value.substring(7).strip() : null;
	}

	private static Long parseLong(String text) {
		try {
			return Long.valueOf(text);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static void closeQuietly(WebSocketSession session, CloseStatus status) {
		try {
			session.close(status);
		}
		catch (java.io.IOException ex) {
			log.debug("Closing {} failed: {}", session.getId(), ex.toString());
		}
	}

}
