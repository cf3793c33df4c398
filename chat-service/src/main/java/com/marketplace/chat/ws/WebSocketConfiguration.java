package com.marketplace.chat.ws;

import com.marketplace.chat.chats.ChatKind;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.ServletContextAware;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** The two endpoints, one handler: {@code /ws/service-chats/{chatId}} and {@code /ws/support-chats/{chatId}}. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer, ServletContextAware {

	static final int READ_BUFFER_CHARS = 256;

	/** Binary frames are not part of the protocol: the handler closes the connection on one. */
	static final int BINARY_BUFFER_BYTES = 128;

	/**
	 * Tomcat's own read and write buffer of every socket, 8 KiB each by default and held
	 * for the connection's whole life: the largest per-connection cost of an idle
	 * WebSocket. Chat frames are small; larger requests and responses pass in more reads
	 * and writes.
	 */
	static final int SOCKET_BUFFER_BYTES = 1024;

	private final ChatSocketHandler handler;

	private final HandshakeGate gate;

	private final WsProperties properties;

	WebSocketConfiguration(ChatSocketHandler handler, HandshakeGate gate, WsProperties properties) {
		this.handler = handler;
		this.gate = gate;
		this.properties = properties;
	}

	@Bean
	TomcatConnectorCustomizer smallSocketBuffers() {
		return (connector) -> {
			connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
			connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
		};
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		LeanHandshakeHandler handshakes = new LeanHandshakeHandler(this.properties.compression());
		for (ChatKind kind : ChatKind.values()) {
			registry.addHandler(this.handler, "/ws/" + kind.key() + "-chats/{chatId}")
				.setHandshakeHandler(handshakes)
				.addInterceptors(this.gate.forKind(kind))
				// The gate checks chat.ws.allowed-origins itself, before any token or database
				// work; Spring's own check, which it appends after the gate, lets everything pass.
				.setAllowedOriginPatterns("*");
		}
	}

	/**
	 * Per-connection buffers of the container, allocated for every connection when it
	 * opens, so they decide the memory an idle connection costs. Text is read in parts of
	 * {@link #READ_BUFFER_CHARS} and assembled by the handler up to
	 * {@code chat.ws.max-frame-size} (a larger frame closes with 1009); binary frames are
	 * not part of the protocol.
	 */
	@Override
	public void setServletContext(ServletContext servletContext) {
		if (servletContext.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer container) {
			container.setDefaultMaxTextMessageBufferSize(Math.min(READ_BUFFER_CHARS, this.properties.maxFrameSize()));
			container.setDefaultMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
			container.setAsyncSendTimeout(this.properties.sendTimeLimit().toMillis());
		}
	}

}
