package com.marketplace.chat.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket handshake written by hand on a plain socket, for what the JDK's client
 * hides: the extensions a browser offers, and the headers of the server's answer.
 */
public final class RawHandshake {

	private RawHandshake() {
	}

	/** The server's answer to a handshake. */
	public record Answer(int status, Map<String, String> headers) {

		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

	public static Answer send(Endpoint endpoint, String pathAndQuery, Map<String, String> extraHeaders) {
		try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
			socket.setSoTimeout(5000);
			return perform(socket, endpoint, pathAndQuery, extraHeaders);
		}
		catch (IOException ex) {
			throw new IllegalStateException("handshake with " + endpoint + " failed", ex);
		}
	}

	/**
	 * Writes the handshake on an open socket and reads the head of the answer, no
	 * further: after a 101 the socket carries the connection's frames
	 * ({@link BrowserLikeSocket}).
	 */
	static Answer perform(Socket socket, Endpoint endpoint, String pathAndQuery, Map<String, String> extraHeaders)
			throws IOException {
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		StringBuilder request = new StringBuilder("GET ").append(pathAndQuery)
			.append(" HTTP/1.1\r\nHost: 127.0.0.1:")
			.append(endpoint.port())
			.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
			.append(Base64.getEncoder().encodeToString(nonce))
			.append("\r\n");
		extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
		request.append("\r\n");
		OutputStream out = socket.getOutputStream();
		out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
		out.flush();
		String head = readHead(socket.getInputStream());
		String[] lines = head.split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).trim());
			}
		}
		return new Answer(status, headers);
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("connection closed during the handshake");
			}
			head.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

}
