package com.marketplace.chat.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** Health, metrics and API docs, under the names operators and the README use. */
class OperationsTests {

	private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

	private final Replica replica = Cluster.get().a;

	@Test
	void servesLivenessAndReadinessIncludingDatabaseRedisAndFanout() throws Exception {
		HttpResponse<String> liveness = get("/actuator/health/liveness");
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(WsClient.JSON.readTree(readiness.body()).get("status").asString()).isEqualTo("UP");
		assertThat(get("/actuator/env").statusCode()).as("nothing else of the actuator is exposed").isIn(401, 403, 404);
	}

	@Test
	void exportsPrometheusMetricsUnderTheDocumentedNames() throws Exception {
		Chat chat = Chats.serviceChat(this.replica);
		WsClient.refusal(this.replica.wsUrl() + chat.wsPath(), Map.of());
		try (WsClient client = WsClient.connect(chat.wsUrl(this.replica, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.replica, chat.other()))) {
			client.sendMessage("metered");
			expectType(client.next(), "ack");
			expectType(master.next(), "message");
			String metrics = get("/actuator/prometheus").body();
			assertThat(metrics).contains("chat_ws_connections", "chat_messages_received_total",
					"chat_messages_delivered_total", "chat_message_store_seconds_bucket",
					"chat_fanout_latency_seconds_bucket", "chat_ws_feed_wait_seconds_count",
					"chat_ws_outbox_wait_seconds_count", "chat_ws_handshakes_refused_total{", "status=\"401\"",
					"chat_ws_slow_reader_disconnects_total", "chat_fanout_redis_errors_total",
					"chat_message_store_errors_total", "hikaricp_connections_active", "jvm_memory_used_bytes");
		}
	}

	@Test
	void timesRequestsButNotEachSecurityFilterOfThem() throws Exception {
		Chat chat = Chats.serviceChat(this.replica);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.replica, chat.client()))) {
			client.sendMessage("a handshake through the whole filter chain");
			expectType(client.next(), "ack");
		}
		String metrics = get("/actuator/prometheus").body();
		assertThat(metrics).contains("http_server_requests_seconds_count{");
		assertThat(metrics).as("Spring Security's observations are off").doesNotContain("spring_security_");
	}

	@Test
	void servesOpenApiDocsAndTheInteractivePage() throws Exception {
		JsonNode api = WsClient.JSON.readTree(get("/v3/api-docs").body());
		assertThat(api.get("paths").propertyNames()).contains("/api/service-chats", "/api/service-chats/{id}",
				"/api/support-chats", "/api/support-chats/{id}/assignee", "/api/unread");
		JsonNode message = api.get("paths").get("/api/{kind}-chats/{id}/messages/{messageId}");
		assertThat(message).as("edit and delete are described").isNotNull();
		assertThat(message.propertyNames()).contains("patch", "delete");
		assertThat(api.get("paths").get("/api/{kind}-chats/{id}/read").propertyNames()).contains("post");
		HttpResponse<String> page = get("/swagger-ui.html");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("swagger-ui");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(URI.create(this.replica.httpUrl() + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
