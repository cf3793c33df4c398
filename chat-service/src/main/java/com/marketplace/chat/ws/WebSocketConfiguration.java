package com.marketplace.chat.ws;

import com.marketplace.chat.chat.ChatKind;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.ServletContextAware;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** The two endpoints, one handler: {@code /ws/service-chats/{chatId}} and {@code /ws/support-chats/{chatId}}. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer, ServletContextAware {

	private final ChatSocketHandler handler;

	private final HandshakeGate gate;

	private final WsProperties properties;

	WebSocketConfiguration(ChatSocketHandler handler, HandshakeGate gate, WsProperties properties) {
		this.handler = handler;
		this.gate = gate;
		this.properties = properties;
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		for (ChatKind kind : ChatKind.values()) {
			registry.addHandler(this.handler, "/ws/" + kind.key() + "-chats/{chatId}")
				.addInterceptors(this.gate.forKind(kind))
				.setAllowedOriginPatterns(this.properties.allowedOrigins().toArray(String[]::new));
		}
	}

	/**
	 * Frame limits on the container itself: a text frame over {@code chat.ws.max-frame-size}
	 * closes with 1009; binary frames are not part of the protocol. Per-connection buffers
	 * are sized from these, so they also bound memory per connection.
	 */
	@Override
	public void setServletContext(ServletContext servletContext) {
		if (servletContext.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer container) {
			container.setDefaultMaxTextMessageBufferSize(this.properties.maxFrameSize());
			container.setDefaultMaxBinaryMessageBufferSize(1024);
			container.setAsyncSendTimeout(this.properties.sendTimeLimit().toMillis());
		}
	}

}
