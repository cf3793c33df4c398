package com.marketplace.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** A plain HTTP client for the REST API, as the marketplace backend would call it. */
public final class Rest {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private Rest() {
	}

	public record Response(int status, JsonNode body, String raw) {
	}

	public static Response get(Replica replica, String path, String token) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path)).GET(), token);
	}

	public static Response post(Replica replica, String path, String token, Map<String, ?> body) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))), token);
	}

	private static Response call(HttpRequest.Builder request, String token) {
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
			String raw = response.body();
			JsonNode body = (raw == null || raw.isBlank()) ? null : WsClient.JSON.readTree(raw);
			return new Response(response.statusCode(), body, raw);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
