package com.marketplace.chat.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An idle WebSocket that opens as a browser does, offering {@code permessage-deflate},
 * which the JDK's client may not (it refuses to set {@code Sec-WebSocket-Extensions}). It
 * reads frames on a virtual thread and answers the server's pings with pongs; control
 * frames are never compressed, so it needs no inflater even where compression was agreed.
 */
final class BrowserLikeSocket implements AutoCloseable {

	static final String OFFER = "permessage-deflate; client_max_window_bits";

	private final Socket socket;

	private final OutputStream out;

	/** Whether the server agreed to {@code permessage-deflate}. */
	final boolean compressed;

	private volatile boolean closed;

	private BrowserLikeSocket(Socket socket, boolean compressed) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
		this.compressed = compressed;
		Thread.ofVirtual().name("idle-reader").start(this::read);
	}

	static BrowserLikeSocket open(String host, int port, String path, String token) throws IOException {
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
				+ Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Extensions: " + OFFER
				+ "\r\nAuthorization: Bearer " + token + "\r\nUser-Agent: chat-bench (browser-like)\r\n\r\n";
		Socket socket = new Socket(host, port);
		try {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			String head = readHead(socket.getInputStream());
			if (!head.startsWith("HTTP/1.1 101")) {
				throw new IOException("handshake refused: " + head.lines().findFirst().orElse(head));
			}
			socket.setSoTimeout(0);
			return new BrowserLikeSocket(socket,
					head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions: permessage-deflate"));
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("connection closed during the handshake");
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
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
