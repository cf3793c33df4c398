package com.marketplace.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** A plain HTTP client for the REST API, as the marketplace backend would call it. */
public final class Rest {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private Rest() {
	}

	public record Response(int status, JsonNode body, String raw, HttpHeaders headers) {
	}

	public static Response get(Endpoint replica, String path, String token) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path)).GET(), token);
	}

	public static Response post(Endpoint replica, String path, String token, Map<String, ?> body) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))), token);
	}

	public static Response patch(Endpoint replica, String path, String token, Map<String, ?> body) {
		return call(
				HttpRequest.newBuilder(URI.create(replica.httpUrl() + path))
					.header("Content-Type", "application/json")
					.method("PATCH", HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))),
				token);
	}

	public static Response delete(Endpoint replica, String path, String token) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path)).DELETE(), token);
	}

	/** Posts the body exactly as given, for JSON no map would produce. */
	public static Response postRaw(Endpoint replica, String path, String token, String json) {
		return call(HttpRequest.newBuilder(URI.create(replica.httpUrl() + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)), token);
	}

	/**
	 * Posts a JSON body on a plain socket and answers the response's status. With
	 * {@code declaredLength} the request announces that many bytes but sends only
	 * {@code body} (a server that refuses by the announced length needs no more); without
	 * it, {@code body} goes chunked.
	 */
	public static int postRaw(Endpoint replica, String path, String token, byte[] body, Long declaredLength) {
		StringBuilder head = new StringBuilder("POST ").append(path)
			.append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n");
		if (token != null) {
			head.append("Authorization: Bearer ").append(token).append("\r\n");
		}
		head.append((declaredLength != null) ? "Content-Length: " + declaredLength : "Transfer-Encoding: chunked")
			.append("\r\n\r\n");
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", replica.port())) {
			socket.setSoTimeout(10_000);
			java.io.OutputStream out = socket.getOutputStream();
			out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			try {
				if (declaredLength != null) {
					out.write(body);
				}
				else {
					for (int from = 0; from < body.length; from += 8192) {
						int length = Math.min(8192, body.length - from);
						out.write((Integer.toHexString(length) + "\r\n")
							.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
						out.write(body, from, length);
						out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
					}
					out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
				}
				out.flush();
			}
			catch (java.io.IOException refusedMidBody) {
				// the server answered and closed before taking it all: read that answer
			}
			String statusLine = new java.io.BufferedReader(
					new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
				.readLine();
			return Integer.parseInt(statusLine.split(" ")[1]);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Response call(HttpRequest.Builder request, String token) {
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
			String raw = response.body();
			JsonNode body = (raw == null || raw.isBlank()) ? null : WsClient.JSON.readTree(raw);
			return new Response(response.statusCode(), body, raw, response.headers());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
