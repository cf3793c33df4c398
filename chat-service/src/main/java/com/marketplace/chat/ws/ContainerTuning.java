package com.marketplace.chat.ws;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * Everything this service sets in Tomcat and its WebSocket container, in one place: the
 * per-connection buffers, which decide what an idle connection costs, the executor that
 * lets a frame send complete on the sending thread ({@link SendCompletions}) and a read
 * run on Tomcat's poller ({@link InlineReads}), and a start-up check that Tomcat accepts
 * more connections than {@code chat.ws.max-connections} (else the replica never gets to
 * answer 503 when full: Tomcat leaves the surplus waiting in its accept queue). Its
 * Tomcat customizer runs after Spring Boot's own (which is ordered), so it sees the
 * {@code server.tomcat.*} settings applied.
 */
@Configuration(proxyBeanMethods = false)
class ContainerTuning {

	/**
	 * Parts in which text frames are read; the handler assembles them up to
	 * {@code chat.ws.max-frame-size}.
	 */
	static final int READ_BUFFER_CHARS = 256;

	/**
	 * Binary frames are not part of the protocol: the handler closes the connection on
	 * one.
	 */
	static final int BINARY_BUFFER_BYTES = 128;

	/**
	 * Tomcat's own read and write buffer of every socket, 8 KiB each by default and held
	 * for the connection's whole life: the largest per-connection cost of an idle
	 * WebSocket. Chat frames are small; larger requests and responses pass in more reads
	 * and writes.
	 */
	static final int SOCKET_BUFFER_BYTES = 1024;

	/**
	 * Tomcat's WebSocket input, output and encoder buffers, 8 KiB each per connection by
	 * default and also held for the connection's life; larger frames are handled in
	 * several passes. Tomcat reads it from a system property once, when its WebSocket
	 * classes load, which is after the web server factory is customized.
	 */
	static final String WS_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

	static final int WS_BUFFER_BYTES = 512;

	private final WsProperties properties;

	private final InlineReads reads;

	ContainerTuning(WsProperties properties, InlineReads reads) {
		this.properties = properties;
		this.reads = reads;
	}

	@Bean
	WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> tomcatTuning() {
		return (factory) -> {
			if (System.getProperty(WS_BUFFER_PROPERTY) == null) {
				System.setProperty(WS_BUFFER_PROPERTY, Integer.toString(WS_BUFFER_BYTES));
			}
			factory.addConnectorCustomizers(this::tune);
		};
	}

	void tune(Connector connector) {
		connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
		connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER_BYTES));
		if (!(connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol)) {
			return;
		}
		if (protocol.getMaxConnections() != -1 && protocol.getMaxConnections() <= this.properties.maxConnections()) {
			throw new IllegalStateException("server.tomcat.max-connections (" + protocol.getMaxConnections()
					+ ") must be above chat.ws.max-connections (" + this.properties.maxConnections()
					+ "), so that a full replica can still answer 503 instead of leaving handshakes waiting");
		}
		// Null until Tomcat makes its own pool at start: then there is nothing to wrap.
		if (protocol.getExecutor() != null && !(protocol.getExecutor() instanceof SendCompletions)) {
			protocol.setExecutor(new SendCompletions(protocol.getExecutor(), this.reads));
		}
	}

	/**
	 * Per-connection buffers of the WebSocket container, allocated for every connection
	 * when it opens. Text is read in parts of {@link #READ_BUFFER_CHARS}.
	 */
	@Bean
	ServletServerContainerFactoryBean webSocketContainer() {
		ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
		container.setMaxTextMessageBufferSize(Math.min(READ_BUFFER_CHARS, this.properties.maxFrameSize()));
		container.setMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
		container.setAsyncSendTimeout(this.properties.sendTimeLimit().toMillis());
		return container;
	}

}
