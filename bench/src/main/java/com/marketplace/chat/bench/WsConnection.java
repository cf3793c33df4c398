package com.marketplace.chat.bench;

import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One client WebSocket (the JDK's {@code java.net.http} client). The JDK allows one
 * outstanding send per socket, so sends queue here; frames are reassembled and handed to
 * the current {@link Handler}, which workloads swap between runs.
 * <p>
 * The test kit's {@code WsClient} cannot carry the load, hence this one: it waits for
 * each send to complete, which would stall the open-model generator behind one slow
 * socket and hide the delay (coordinated omission), and it parses every frame into a
 * queue for a test to read, which thousands of busy connections would fill. Here sends
 * never block, and frames go straight to the workload's ledger on the client's own
 * threads.
 */
final class WsConnection implements WebSocket.Listener {

	interface Handler {

		void onFrame(WsConnection connection, String text);

		default void onClosed(WsConnection connection, int code, String reason) {
		}

	}

	/** Global index: connection {@code index} belongs to chat {@code index / perChat}. */
	final int index;

	final long chatId;

	volatile Handler handler;

	volatile WebSocket socket;

	volatile boolean closed;

	volatile int closeCode;

	/** The next message counter of this connection (used only by the sending thread). */
	long nextN;

	private final StringBuilder partial = new StringBuilder();

	private final ArrayDeque<String> queue = new ArrayDeque<>();

	private boolean sending;

	WsConnection(int index, long chatId, Handler handler) {
		this.index = index;
		this.chatId = chatId;
		this.handler = handler;
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.socket = webSocket;
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		if (last && this.partial.isEmpty()) {
			this.handler.onFrame(this, data.toString());
		}
		else {
			this.partial.append(data);
			if (last) {
				String text = this.partial.toString();
				this.partial.setLength(0);
				this.handler.onFrame(this, text);
			}
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closed = true;
		this.closeCode = statusCode;
		this.handler.onClosed(this, statusCode, reason);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed = true;
		this.closeCode = -1;
		this.handler.onClosed(this, -1, String.valueOf(error));
	}

	/** Sends now, or after the sends queued before it. */
	void send(String text) {
		synchronized (this) {
			if (this.sending) {
				this.queue.add(text);
				return;
			}
			this.sending = true;
		}
		transmit(text);
	}

	private void transmit(String text) {
		this.socket.sendText(text, true).whenComplete((ws, failure) -> {
			String next;
			synchronized (this) {
				next = this.queue.poll();
				if (next == null) {
					this.sending = false;
				}
			}
			if (next != null) {
				transmit(next);
			}
		});
	}

	/**
	 * Closes politely, then drops the TCP connection if the server does not answer soon.
	 */
	void close() {
		WebSocket ws = this.socket;
		if (ws == null) {
			return;
		}
		ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done")
			.orTimeout(5, TimeUnit.SECONDS)
			.whenComplete((ignored, failure) -> ws.abort());
	}

}
