package com.marketplace.chat.ws;

import com.marketplace.chat.chats.ChatKind;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * The raw endpoints, one handler: {@code /ws/service-chats/{chatId}} and
 * {@code /ws/support-chats/{chatId}}; and STOMP at {@code /ws/stomp}. The container's
 * buffers are set by {@link ContainerTuning}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

	private final ChatSocketHandler handler;

	private final HandshakeGate gate;

	private final StompHandler stomp;

	private final WsProperties properties;

	WebSocketConfiguration(ChatSocketHandler handler, StompHandler stomp, HandshakeGate gate, WsProperties properties) {
		this.handler = handler;
		this.stomp = stomp;
		this.gate = gate;
		this.properties = properties;
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		LeanHandshakeHandler handshakes = new LeanHandshakeHandler(this.properties.compression());
		for (ChatKind kind : ChatKind.values()) {
			registry.addHandler(this.handler, "/ws/" + kind.key() + "-chats/{chatId}")
				.setHandshakeHandler(handshakes)
				.addInterceptors(this.gate.forKind(kind))
				// The gate checks chat.ws.allowed-origins itself, before any token or
				// database work; Spring's own check, which it appends after the gate,
				// lets everything pass.
				.setAllowedOriginPatterns("*");
		}
		registry.addHandler(this.stomp, "/ws/stomp")
			.setHandshakeHandler(handshakes)
			.addInterceptors(this.gate.forStomp())
			.setAllowedOriginPatterns("*");
	}

}
