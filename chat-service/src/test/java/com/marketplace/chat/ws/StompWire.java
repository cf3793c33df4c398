package com.marketplace.chat.ws;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.marketplace.chat.testing.WsClient;
import tools.jackson.databind.JsonNode;

/**
 * STOMP written and read by hand over a plain WebSocket, for tests that look at the exact
 * frames (refusals, receipts, headers) and at the close that follows an {@code ERROR}.
 */
final class StompWire implements WebSocket.Listener, AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	/** One frame as received. */
	record Frame(String command, Map<String, String> headers, String body) {

		String header(String name) {
			return this.headers.get(name);
		}

		JsonNode json() {
			return WsClient.JSON.readTree(this.body);
		}

	}

	private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	private final StringBuilder partial = new StringBuilder();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	private WebSocket socket;

	private final java.util.concurrent.atomic.AtomicInteger heartBeats = new java.util.concurrent.atomic.AtomicInteger();

	private volatile String closeReason;

	/**
	 * Whether presence MESSAGE frames are queued; a test not about presence reads without
	 * them.
	 */
	volatile boolean presence;

	static StompWire open(String url) {
		StompWire wire = new StompWire();
		wire.socket = HTTP.newWebSocketBuilder()
			.subprotocols("v12.stomp")
			.connectTimeout(Duration.ofSeconds(5))
			.buildAsync(URI.create(url), wire)
			.join();
		return wire;
	}

	/**
	 * Opens a session and sends CONNECT with the token (none when {@code null}); the
	 * answer is left to read.
	 */
	static StompWire connect(String url, String token) {
		StompWire wire = open(url);
		wire.send("CONNECT", (token != null) ? Map.of("accept-version", "1.2", "host", "chat", "heart-beat", "0,0",
				"Authorization", "Bearer " + token) : Map.of("accept-version", "1.2", "host", "chat"), "");
		return wire;
	}

	/** Connects and expects CONNECTED. */
	static StompWire connected(String url, String token) {
		StompWire wire = connect(url, token);
		Frame answer = wire.next();
		if (!answer.command().equals("CONNECTED")) {
			throw new AssertionError("expected CONNECTED, got " + answer);
		}
		return wire;
	}

	String selectedSubprotocol() {
		return this.socket.getSubprotocol();
	}

	void send(String command, Map<String, String> headers, String body) {
		StringBuilder frame = new StringBuilder(command).append('\n');
		headers.forEach((name, value) -> frame.append(name).append(':').append(value).append('\n'));
		frame.append('\n').append(body).append('\0');
		this.socket.sendText(frame.toString(), true).join();
	}

	void subscribe(String id, String destination, Map<String, String> extra) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("id", id);
		headers.put("destination", destination);
		headers.putAll(extra);
		send("SUBSCRIBE", headers, "");
	}

	void sendTo(String destination, String body, Map<String, String> extra) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("destination", destination);
		headers.put("content-type", "application/json");
		headers.putAll(extra);
		send("SEND", headers, body);
	}

	Frame next(Duration timeout) {
		try {
			Frame frame = this.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (frame == null) {
				throw new AssertionError("no STOMP frame within " + timeout);
			}
			return frame;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	Frame next() {
		return next(Duration.ofSeconds(10));
	}

	/** The next frame, which must have the command. */
	Frame expect(String command) {
		Frame frame = next();
		if (!frame.command().equals(command)) {
			throw new AssertionError("expected " + command + ", got " + frame);
		}
		return frame;
	}

	/** Frames that arrive until none has for {@code quiet}. */
	java.util.List<Frame> drain(Duration quiet) {
		java.util.List<Frame> all = new java.util.ArrayList<>();
		while (true) {
			try {
				Frame frame = this.frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
				if (frame == null) {
					return all;
				}
				all.add(frame);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return all;
			}
		}
	}

	/**
	 * Every frame that arrives until the connection closes (it must, within
	 * {@code timeout}).
	 */
	java.util.List<Frame> untilClosed(Duration timeout) {
		java.util.List<Frame> all = new java.util.ArrayList<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			try {
				Frame frame = this.frames.poll(100, TimeUnit.MILLISECONDS);
				if (frame != null) {
					all.add(frame);
				}
				else if (isClosed()) {
					return all;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		throw new AssertionError("not closed within " + timeout);
	}

	/** The close code, waiting for it up to {@code timeout}. */
	int closeCode(Duration timeout) {
		try {
			return this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("not closed within " + timeout, ex);
		}
	}

	/** Heart-beats (messages of end-of-lines only) received so far. */
	int heartBeats() {
		return this.heartBeats.get();
	}

	String closeReason() {
		return this.closeReason;
	}

	boolean isClosed() {
		return this.closed.isDone();
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		webSocket.request(Long.MAX_VALUE);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.partial.append(data);
		if (last) {
			parse(this.partial.toString());
			this.partial.setLength(0);
		}
		return null;
	}

	private void parse(String text) {
		if (text.isBlank()) {
			this.heartBeats.incrementAndGet();
			return;
		}
		int at = 0;
		while (at < text.length()) {
			while (at < text.length() && (text.charAt(at) == '\n' || text.charAt(at) == '\r')) {
				at++;
			}
			if (at >= text.length()) {
				return;
			}
			int end = text.indexOf('\0', at);
			String raw = text.substring(at, (end < 0) ? text.length() : end);
			at = (end < 0) ? text.length() : end + 1;
			int blank = raw.indexOf("\n\n");
			String head = (blank < 0) ? raw : raw.substring(0, blank);
			String body = (blank < 0) ? "" : raw.substring(blank + 2);
			String[] lines = head.split("\n");
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
			}
			Frame frame = new Frame(lines[0], headers, body);
			if (this.presence || !(frame.command().equals("MESSAGE") && body.startsWith("{\"type\":\"presence\""))) {
				this.frames.add(frame);
			}
		}
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closeReason = reason;
		this.closed.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed.complete(-1);
	}

	@Override
	public void close() {
		if (!this.closed.isDone()) {
			this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally((ex) -> null);
		}
	}

}
