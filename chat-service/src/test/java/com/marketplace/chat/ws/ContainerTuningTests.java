package com.marketplace.chat.ws;

import java.util.Map;
import java.util.concurrent.Executor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tomcat's connectors as {@link ContainerTuning} leaves them, on a real Tomcat connector.
 */
class ContainerTuningTests {

	private final WsProperties properties = new Binder(
			new MapConfigurationPropertySource(Map.of("chat.ws.max-connections", "20000")))
		.bindOrCreate("chat.ws", WsProperties.class);

	private final ContainerTuning tuning = new ContainerTuning(this.properties,
			new InlineReads(this.properties, new SimpleMeterRegistry()));

	@Test
	void refusesATomcatLimitThatLeavesAFullReplicaNoRoomToAnswer503() {
		for (String limit : new String[] { "8192", "20000" }) {
			Connector connector = new Connector("HTTP/1.1");
			connector.setProperty("maxConnections", limit);
			assertThatIllegalStateException().isThrownBy(() -> this.tuning.tune(connector))
				.withMessageContaining("server.tomcat.max-connections (" + limit + ")")
				.withMessageContaining("chat.ws.max-connections (20000)");
		}
	}

	@Test
	void acceptsAHigherLimitAndShrinksTheSocketBuffers() {
		Connector connector = new Connector("HTTP/1.1");
		connector.setProperty("maxConnections", "25000");
		this.tuning.tune(connector);
		assertThat(String.valueOf(connector.getProperty("socket.appReadBufSize")))
			.isEqualTo(String.valueOf(ContainerTuning.SOCKET_BUFFER_BYTES));
		assertThat(String.valueOf(connector.getProperty("socket.appWriteBufSize")))
			.isEqualTo(String.valueOf(ContainerTuning.SOCKET_BUFFER_BYTES));
	}

	@Test
	void letsFrameSendsCompleteThroughTheExecutorItWrapsOnce() {
		Connector connector = new Connector("HTTP/1.1");
		connector.setProperty("maxConnections", "25000");
		Executor threads = Runnable::run;
		AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
		protocol.setExecutor(threads);
		this.tuning.tune(connector);
		this.tuning.tune(connector);
		assertThat(protocol.getExecutor()).isInstanceOfSatisfying(SendCompletions.class,
				(wrapper) -> assertThat(wrapper.container()).isSameAs(threads));
	}

	@Test
	void leavesTomcatToMakeItsOwnExecutorWhenNoneIsSet() {
		Connector connector = new Connector("HTTP/1.1");
		connector.setProperty("maxConnections", "25000");
		this.tuning.tune(connector);
		assertThat(((AbstractProtocol<?>) connector.getProtocolHandler()).getExecutor()).isNull();
	}

}
