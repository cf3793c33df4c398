package com.marketplace.chat.ws;

import java.util.Map;
import java.util.Optional;

import com.marketplace.chat.chat.ChatAccess;
import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
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
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Decides a handshake before the upgrade, with plain HTTP answers: 503 when this replica
 * is draining or full, 401 without a valid token, 403 when the chat does not exist or the
 * user is not a participant (one answer for both), 400 for a malformed {@code after_id}.
 * The browser {@code Origin} check (403) runs before this, in Spring's origin interceptor.
 */
@Component
class HandshakeGate {

	static final String CONNECTION = "chat.connection";

	private static final Logger log = LoggerFactory.getLogger(HandshakeGate.class);

	private final ChatUsers users;

	private final ChatAccess access;

	private final LocalConnections connections;

	private final ConnectionSupervisor supervisor;

	private final WsProperties properties;

	private final MeterRegistry meters;

	HandshakeGate(ChatUsers users, ChatAccess access, LocalConnections connections, ConnectionSupervisor supervisor,
			WsProperties properties, MeterRegistry meters) {
		this.meters = meters;
		this.users = users;
		this.access = access;
		this.connections = connections;
		this.supervisor = supervisor;
		this.properties = properties;
	}

	/** The interceptor for one chat kind's endpoint. */
	HandshakeInterceptor forKind(ChatKind kind) {
		return new HandshakeInterceptor() {

			@Override
			public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Map<String, Object> attributes) {
				HttpStatus refusal;
				try {
					refusal = decide(kind, ((ServletServerHttpRequest) request).getServletRequest(), attributes);
				}
				catch (RuntimeException ex) {
					// Logged here without the request URL: it may carry the token.
					log.error("Handshake to a {} chat failed", kind.key(), ex);
					refusal = HttpStatus.INTERNAL_SERVER_ERROR;
				}
				if (refusal != null) {
					HandshakeGate.this.meters.counter("chat.ws.handshakes.refused", "status", Integer.toString(refusal.value()))
						.increment();
					response.setStatusCode(refusal);
					return false;
				}
				return true;
			}

			@Override
			public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response,
					WebSocketHandler handler, Exception failure) {
			}

		};
	}

	private HttpStatus decide(ChatKind kind, HttpServletRequest request, Map<String, Object> attributes) {
		if (this.supervisor.isDraining() || this.connections.count() >= this.properties.maxConnections()) {
			return HttpStatus.SERVICE_UNAVAILABLE;
		}
		Optional<String> token = TokenResolver.resolve(request);
		if (token.isEmpty()) {
			return HttpStatus.UNAUTHORIZED;
		}
		AuthenticatedUser user;
		try {
			user = this.users.authenticate(token.get());
		}
		catch (InvalidTokenException ex) {
			log.debug("Handshake refused, invalid token: {}", ex.getMessage());
			return HttpStatus.UNAUTHORIZED;
		}
		Long afterId = null;
		String afterParameter = request.getParameter("after_id");
		if (afterParameter != null) {
			afterId = parseLong(afterParameter);
			if (afterId == null || afterId < 0) {
				return HttpStatus.BAD_REQUEST;
			}
		}
		Long chatId = parseLong(chatIdOf(request));
		if (chatId == null || chatId < 1) {
			return HttpStatus.FORBIDDEN;
		}
		ChatKey chat = new ChatKey(kind, chatId);
		long seqAtHandshake;
		try {
			if (!this.access.isParticipant(user.user(), chat)) {
				return HttpStatus.FORBIDDEN;
			}
			seqAtHandshake = this.access.lastSeq(chat);
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Handshake refused, database unavailable: {}", ex.toString());
			return HttpStatus.SERVICE_UNAVAILABLE;
		}
		attributes.put(CONNECTION, new Handshake(chat, user, afterId, seqAtHandshake));
		return null;
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
	 * @param seqAtHandshake the chat's {@code last_seq} when the handshake was accepted: the
	 * connection receives every message after it, even one committed before this replica
	 * started delivering the chat
	 */
	record Handshake(ChatKey chat, AuthenticatedUser user, Long afterId, long seqAtHandshake) {
	}

}
