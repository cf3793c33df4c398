package com.marketplace.chat.ws;

import java.util.Map;
import java.util.Optional;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.ChatState;
import com.marketplace.chat.security.AuthenticatedUser;
import com.marketplace.chat.security.ChatUsers;
import com.marketplace.chat.security.InvalidTokenException;
import com.marketplace.chat.security.TokenResolver;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * Decides a handshake before the upgrade, with plain HTTP answers, cheapest check first:
 * 403 for a browser {@code Origin} not on the allow-list (before any token or database
 * work), 503 when this replica is draining or full, 401 without a valid token, 400 for a
 * malformed {@code after_id}, 429 when the user already holds
 * {@code chat.ws.max-connections-per-user} sockets here, 403 when the chat does not exist
 * or the user is not a participant (one answer for both).
 */
@Component
class HandshakeGate {

	static final String CONNECTION = "chat.connection";

	/** The token a STOMP handshake carried, if any, for its {@code CONNECT} frame. */
	static final String STOMP_TOKEN = "chat.stomp.token";

	private static final Logger log = LoggerFactory.getLogger(HandshakeGate.class);

	private final ChatUsers users;

	private final ChatAccess access;

	private final LocalConnections connections;

	private final ConnectionSupervisor supervisor;

	private final WsProperties properties;

	private final MeterRegistry meters;

	private final OriginHandshakeInterceptor origins;

	HandshakeGate(ChatUsers users, ChatAccess access, LocalConnections connections, ConnectionSupervisor supervisor,
			WsProperties properties, MeterRegistry meters) {
		this.meters = meters;
		this.users = users;
		this.access = access;
		this.connections = connections;
		this.supervisor = supervisor;
		this.properties = properties;
		this.origins = new OriginHandshakeInterceptor();
		this.origins.setAllowedOriginPatterns(properties.allowedOrigins());
	}

	/** The interceptor for one chat kind's endpoint. */
	HandshakeInterceptor forKind(ChatKind kind) {
		return new HandshakeInterceptor() {

			@Override
			public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Map<String, Object> attributes) throws Exception {
				if (!HandshakeGate.this.origins.beforeHandshake(request, response, handler, attributes)) {
					refused("origin", HttpStatus.FORBIDDEN);
					return false;
				}
				Refusal refusal;
				try {
					refusal = decide(kind, ((ServletServerHttpRequest) request).getServletRequest(), attributes);
				}
				catch (RuntimeException ex) {
					// Logged here without the request URL: it may carry the token.
					log.error("Handshake to a {} chat failed", kind.key(), ex);
					refusal = new Refusal("error", HttpStatus.INTERNAL_SERVER_ERROR);
				}
				if (refusal != null) {
					refused(refusal.reason(), refusal.status());
					response.setStatusCode(refusal.status());
					return false;
				}
				return true;
			}

			@Override
			public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
					Exception failure) {
				// An accepted handshake whose upgrade did not happen gives its socket
				// back.
				if (attributes(request) instanceof Handshake handshake && (failure != null
						|| ((ServletServerHttpResponse) response).getServletResponse().getStatus() != 101)) {
					HandshakeGate.this.connections.release(handshake.user().user().id());
				}
			}

		};
	}

	/**
	 * The interceptor of {@code /ws/stomp}: the Origin allow-list first, then 503 when
	 * this replica is draining or full. The user is not decided here but by the STOMP
	 * {@code CONNECT} frame, whose refusals are STOMP {@code ERROR} frames; a token the
	 * handshake carried ({@code Authorization}, {@code ?token=}, {@code access_token}
	 * cookie) is kept for that frame to fall back on.
	 */
	HandshakeInterceptor forStomp() {
		return new HandshakeInterceptor() {

			@Override
			public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Map<String, Object> attributes) throws Exception {
				if (!HandshakeGate.this.origins.beforeHandshake(request, response, handler, attributes)) {
					refused("origin", HttpStatus.FORBIDDEN);
					return false;
				}
				Refusal refusal = unavailable();
				if (refusal != null) {
					refused(refusal.reason(), refusal.status());
					response.setStatusCode(refusal.status());
					return false;
				}
				TokenResolver.resolve(((ServletServerHttpRequest) request).getServletRequest())
					.ifPresent((token) -> attributes.put(STOMP_TOKEN, token));
				return true;
			}

			@Override
			public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
					Exception failure) {
			}

		};
	}

	private void refused(String reason, HttpStatus status) {
		this.meters.counter("chat.ws.handshakes.refused", "reason", reason, "status", Integer.toString(status.value()))
			.increment();
	}

	private static Object attributes(ServerHttpRequest request) {
		return ((ServletServerHttpRequest) request).getServletRequest().getAttribute(CONNECTION);
	}

	private Refusal decide(ChatKind kind, HttpServletRequest request, Map<String, Object> attributes) {
		Refusal unavailable = unavailable();
		if (unavailable != null) {
			return unavailable;
		}
		Optional<String> token = TokenResolver.resolve(request);
		if (token.isEmpty()) {
			return new Refusal("no_token", HttpStatus.UNAUTHORIZED);
		}
		AuthenticatedUser user;
		try {
			user = this.users.authenticate(token.get());
		}
		catch (InvalidTokenException ex) {
			log.debug("Handshake refused, invalid token: {}", ex.getMessage());
			return new Refusal("invalid_token", HttpStatus.UNAUTHORIZED);
		}
		Long afterId = null;
		String afterParameter = request.getParameter("after_id");
		if (afterParameter != null) {
			afterId = parseLong(afterParameter);
			if (afterId == null || afterId < 0) {
				return new Refusal("bad_after_id", HttpStatus.BAD_REQUEST);
			}
		}
		Long chatId = parseLong(chatIdOf(request));
		if (chatId == null || chatId < 1) {
			return new Refusal("forbidden", HttpStatus.FORBIDDEN);
		}
		ChatKey chat = new ChatKey(kind, chatId);
		long userId = user.user().id();
		switch (this.connections.reserve(userId, this.properties.maxConnectionsPerUser(),
				this.properties.maxConnections())) {
			case USER_FULL -> {
				return new Refusal("user_limit", HttpStatus.TOO_MANY_REQUESTS);
			}
			case REPLICA_FULL -> {
				return new Refusal("full", HttpStatus.SERVICE_UNAVAILABLE);
			}
			case RESERVED -> {
				// counted until the upgrade fails or the connection closes
			}
		}
		long seqAtHandshake;
		try {
			Optional<ChatState> state = this.access.state(chat);
			if (state.isEmpty() || !state.get().participants().includes(userId)) {
				this.connections.release(userId);
				return new Refusal("forbidden", HttpStatus.FORBIDDEN);
			}
			seqAtHandshake = state.get().lastSeq();
		}
		catch (DataAccessException | TransactionException ex) {
			this.connections.release(userId);
			log.warn("Handshake refused, database unavailable: {}", ex.toString());
			return new Refusal("database", HttpStatus.SERVICE_UNAVAILABLE);
		}
		catch (RuntimeException ex) {
			this.connections.release(userId);
			throw ex;
		}
		Handshake handshake = new Handshake(chat, user, afterId, seqAtHandshake);
		attributes.put(CONNECTION, handshake);
		request.setAttribute(CONNECTION, handshake);
		return null;
	}

	/**
	 * 503 while this replica drains or holds all the sockets it takes; {@code null}
	 * otherwise.
	 */
	private Refusal unavailable() {
		if (this.supervisor.isDraining()) {
			return new Refusal("draining", HttpStatus.SERVICE_UNAVAILABLE);
		}
		if (this.connections.reserved() >= this.properties.maxConnections()) {
			return new Refusal("full", HttpStatus.SERVICE_UNAVAILABLE);
		}
		return null;
	}

	private record Refusal(String reason, HttpStatus status) {
	}

	@SuppressWarnings("unchecked")
	private static String chatIdOf(HttpServletRequest request) {
		Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
		return (variables instanceof Map<?, ?> map) ? ((Map<String, String>) map).get("chatId") : null;
	}

	private static Long parseLong(String text) {
		try {
			return (text != null) ? Long.valueOf(text) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * What an accepted handshake hands to the connection.
	 *
	 * @param seqAtHandshake the chat's {@code last_seq} when the handshake was accepted:
	 * the connection receives every message after it, even one committed before this
	 * replica started delivering the chat
	 */
	record Handshake(ChatKey chat, AuthenticatedUser user, Long afterId, long seqAtHandshake) {
	}

}
