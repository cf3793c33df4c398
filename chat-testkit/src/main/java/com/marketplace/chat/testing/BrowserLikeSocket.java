package com.marketplace.chat.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An idle WebSocket that opens as a browser does, offering {@code permessage-deflate},
 * which the JDK's client may not (it refuses to set {@code Sec-WebSocket-Extensions}), so
 * whatever an agreed extension costs the server is paid. It reads frames on a virtual
 * thread and answers the server's pings with pongs; control frames are never compressed,
 * so it needs no inflater even where compression was agreed. It sends nothing else: the
 * bench holds thousands of them to measure memory per idle connection.
 */
public final class BrowserLikeSocket implements AutoCloseable {

	public static final String OFFER = "permessage-deflate; client_max_window_bits";

	private final Socket socket;

	private final OutputStream out;

	private final boolean compressed;

	private volatile boolean closed;

	private BrowserLikeSocket(Socket socket, boolean compressed) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
		this.compressed = compressed;
		Thread.ofVirtual().name("idle-reader").start(this::read);
	}

	/**
	 * Opens the chat's path with the token in an {@code Authorization} header; an
	 * IOException if refused.
	 */
	public static BrowserLikeSocket open(Endpoint endpoint, String path, String token) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Sec-WebSocket-Extensions", OFFER);
		headers.put("Authorization", "Bearer " + token);
		headers.put("User-Agent", "chat-testkit (browser-like)");
		Socket socket = new Socket("127.0.0.1", endpoint.port());
		try {
			socket.setSoTimeout(30_000);
			RawHandshake.Answer answer = RawHandshake.perform(socket, endpoint, path, headers);
			if (answer.status() != 101) {
				throw new IOException("handshake refused with HTTP " + answer.status());
			}
			socket.setSoTimeout(0);
			String agreed = answer.header("Sec-WebSocket-Extensions");
			return new BrowserLikeSocket(socket, agreed != null && agreed.startsWith("permessage-deflate"));
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Whether the server agreed to {@code permessage-deflate}. */
	public boolean compressed() {
		return this.compressed;
	}

	private void read() {
		try {
			InputStream in = this.socket.getInputStream();
			while (!this.closed) {
				int first = in.read();
				int second = in.read();
				if (first < 0 || second < 0) {
					return;
				}
				long length = second & 0x7F;
				if (length == 126) {
					length = (in.read() << 8) | in.read();
				}
				else if (length == 127) {
					length = 0;
					for (int i = 0; i < 8; i++) {
						length = (length << 8) | in.read();
					}
				}
				byte[] payload = in.readNBytes((int) length);
				int opcode = first & 0x0F;
				if (opcode == 0x9) {
					sendControl(0xA, payload);
				}
				else if (opcode == 0x8) {
					sendControl(0x8, payload);
					return;
				}
			}
		}
		catch (IOException ex) {
			// closed under us: nothing left to read
		}
	}

	/** A masked control frame, as every client frame must be. */
	private synchronized void sendControl(int opcode, byte[] payload) throws IOException {
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		byte[] frame = new byte[2 + 4 + payload.length];
		frame[0] = (byte) (0x80 | opcode);
		frame[1] = (byte) (0x80 | payload.length);
		System.arraycopy(mask, 0, frame, 2, 4);
		for (int i = 0; i < payload.length; i++) {
			frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
		}
		this.out.write(frame);
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			sendControl(0x8, new byte[] { 0x03, (byte) 0xE8 });
		}
		catch (IOException ex) {
			// already gone
		}
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
