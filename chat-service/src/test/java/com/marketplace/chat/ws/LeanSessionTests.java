package com.marketplace.chat.ws;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import jakarta.websocket.Session;

import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an open connection keeps of its handshake: no headers (not even the upgrade's), no
 * cookies, no token, no principal (they cost memory for the connection's whole life and
 * nothing reads them after the handshake), and the connection still works.
 */
class LeanSessionTests {

	@Test
	void anOpenSessionKeepsNeitherCookiesNorTokenNorPrincipal() {
		Cluster cluster = Cluster.get();
		Chat chat = Chats.serviceChat(cluster.a);
		String token = chat.client().token();
		try (WsClient client = WsClient.connect(chat.wsUrl(cluster.a, chat.client()),
				Map.of("Cookie", "tracking=" + "c".repeat(500), "X-Client-Version", "7.3.1"))) {
			client.sendMessage("still works");
			expectType(client.next(), "ack");

			LocalConnections connections = cluster.a.bean(LocalConnections.class);
			WebSocketSession session = connections.all()
				.stream()
				.filter((connection) -> connection.chat.id() == chat.id())
				.findFirst()
				.orElseThrow().session;
			assertThat(session.getPrincipal()).isNull();
			assertThat(session.getHandshakeHeaders().isEmpty()).isTrue();
			assertThat(String.valueOf(session.getUri())).doesNotContain(token).doesNotContain("token");
			Session tomcat = ((NativeWebSocketSession) WebSocketSessionDecorator.unwrap(session))
				.getNativeSession(Session.class);
			assertThat(tomcat.getRequestParameterMap()).isEmpty();
			assertThat(tomcat.getQueryString()).isNull();
			assertThat(tomcat.getUserPrincipal()).isNull();
			assertThat(tomcat.getMaxTextMessageBufferSize()).isEqualTo(ContainerTuning.READ_BUFFER_CHARS);
			assertThat(tomcat.getMaxBinaryMessageBufferSize()).isEqualTo(ContainerTuning.BINARY_BUFFER_BYTES);
			assertThat(client.drain(Duration.ofMillis(100))).isEmpty();
		}
	}

	/**
	 * Tomcat reads its WebSocket buffer size once, when its classes load: the tuning must
	 * come first.
	 */
	@Test
	void tomcatsWebSocketBuffersAreTheTunedSize() throws ReflectiveOperationException {
		Cluster.get();
		Field size = Class.forName("org.apache.tomcat.websocket.Constants").getDeclaredField("DEFAULT_BUFFER_SIZE");
		size.setAccessible(true);
		assertThat(size.getInt(null)).isEqualTo(ContainerTuning.WS_BUFFER_BYTES);
	}

}
