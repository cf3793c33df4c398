package com.marketplace.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real WebSocket client (the JDK's) that records every frame it receives, for tests. It
 * answers server pings with pongs, as browsers do.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

	public static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	private volatile String closeReason;

	private final StringBuilder partial = new StringBuilder();

	private WebSocket socket;

	private volatile boolean stalled;

	private final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();

	private volatile long firstPingNanos;

	/**
	 * Presence frames come whenever someone of the chat connects or leaves: a test that
	 * is not about presence reads the frames it is about without them.
	 */
	private volatile boolean presence;

	/** The handshake was answered with a plain HTTP status instead of an upgrade. */
	public static final class Refused extends RuntimeException {

		public final int status;

		Refused(int status) {
			super("handshake refused with HTTP " + status);
			this.status = status;
		}

	}

	/** A client that also queues {@code presence} frames, which others drop. */
	public static WsClient connectWithPresence(String url) {
		WsClient client = new WsClient();
		client.presence = true;
		return open(client, url, Map.of());
	}

	public static WsClient connect(String url) {
		return connect(url, Map.of());
	}

	/** A client that stops reading after the handshake: a reader that never reads. */
	public static WsClient connectStalled(String url) {
		WsClient client = new WsClient();
		client.stalled = true;
		return open(client, url, Map.of());
	}

	public static WsClient connect(String url, Map<String, String> headers) {
		return open(new WsClient(), url, headers);
	}

	private static WsClient open(WsClient client, String url, Map<String, String> headers) {
		WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
		headers.forEach(builder::header);
		try {
			client.socket = builder.buildAsync(URI.create(url), client).join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof WebSocketHandshakeException handshake) {
				throw new Refused(handshake.getResponse().statusCode());
			}
			throw ex;
		}
		return client;
	}

	/** Connects, expecting a refusal; returns its HTTP status. */
	public static int refusal(String url, Map<String, String> headers) {
		try (WsClient client = connect(url, headers)) {
			throw new AssertionError("expected the handshake to be refused, but it was accepted: " + url);
		}
		catch (Refused refused) {
			return refused.status;
		}
	}

	public void send(String text) {
		this.socket.sendText(text, true).join();
	}

	public void sendJson(Map<String, ?> frame) {
		send(JSON.writeValueAsString(frame));
	}

	public void sendMessage(String content) {
		sendJson(Map.of("type", "message", "content", content));
	}

	/** The next frame, or an AssertionError if none comes in time. */
	public JsonNode next(Duration timeout) {
		try {
			JsonNode frame = this.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (frame == null) {
				throw new AssertionError("no frame within " + timeout + "; closed: " + this.closed.getNow(null));
			}
			return frame;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	public JsonNode next() {
		return next(Duration.ofSeconds(5));
	}

	/** Every frame that arrives until none has come for {@code quiet}. */
	public List<JsonNode> drain(Duration quiet) {
		List<JsonNode> drained = new ArrayList<>();
		try {
			JsonNode frame;
			while ((frame = this.frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
				drained.add(frame);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return drained;
	}

	/** The close code the server sent, waiting up to the timeout. */
	public int closeCode(Duration timeout) {
		try {
			return this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("the connection was not closed within " + timeout, ex);
		}
	}

	/** The reason the server gave with its close frame, once it has closed. */
	public String closeReason() {
		return this.closeReason;
	}

	public boolean isOpen() {
		return !this.closed.isDone() && !this.socket.isInputClosed();
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		if (!this.stalled) {
			webSocket.request(1);
		}
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.partial.append(data);
		if (last) {
			JsonNode frame = JSON.readTree(this.partial.toString());
			if (this.presence || !frame.path("type").asString("").equals("presence")) {
				this.frames.add(frame);
			}
			this.partial.setLength(0);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
		if (this.pings.incrementAndGet() == 1) {
			this.firstPingNanos = System.nanoTime();
		}
		webSocket.request(1);
		return null;
	}

	/** When the first protocol ping came ({@link System#nanoTime()}), 0 before it. */
	public long firstPingNanos() {
		return this.firstPingNanos;
	}

	/**
	 * Protocol pings the server sent so far (the JDK's client answers each with a pong).
	 */
	public int pings() {
		return this.pings.get();
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closeReason = reason;
		this.closed.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed.complete(1006);
	}

	@Override
	public void close() {
		if (this.socket != null && !this.socket.isOutputClosed()) {
			try {
				this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				this.socket.abort();
			}
		}
	}

}
