package com.marketplace.chat.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that never reads and keeps pinging: the server's pongs fill its
 * socket until the server's next pong cannot be written. What it costs the server's other
 * connections is what a test of it measures.
 */
public final class PingingSocket implements AutoCloseable {

	/** The largest payload of a control frame. */
	private static final int PAYLOAD = 125;

	private final Socket socket;

	private PingingSocket(Socket socket, boolean reads) {
		this.socket = socket;
		if (reads) {
			Thread.ofVirtual().name("pinging-socket-reader").start(this::dropWhatComes);
		}
	}

	/**
	 * Opens the chat's path with the token in an {@code Authorization} header.
	 * @param reads whether it reads (and drops) what the server sends
	 */
	public static PingingSocket open(Endpoint endpoint, String path, String token, boolean reads) throws IOException {
		Socket socket = new Socket();
		if (!reads) {
			// As small as the kernel allows, set before connecting so the window stays
			// small.
			socket.setReceiveBufferSize(1024);
		}
		try {
			socket.connect(new InetSocketAddress("127.0.0.1", endpoint.port()), 5000);
			socket.setSoTimeout(5000);
			RawHandshake.Answer answer = RawHandshake.perform(socket, endpoint, path,
					Map.of("Authorization", "Bearer " + token));
			if (answer.status() != 101) {
				throw new IOException("handshake refused with HTTP " + answer.status());
			}
			socket.setSoTimeout(0);
			return new PingingSocket(socket, reads);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Pings, a burst of pings in one write with a pause between (none: as fast as the
	 * socket takes them), until a write fails (the server closed the connection) or the
	 * limit passes.
	 * @return how long it pinged until the write failed; {@code null} if it never did
	 */
	public Duration pingUntilRefused(Duration limit, int perBurst, Duration pause) throws InterruptedException {
		byte[] batch = pings(perBurst);
		long started = System.nanoTime();
		long until = started + limit.toNanos();
		try {
			OutputStream out = this.socket.getOutputStream();
			while (System.nanoTime() < until) {
				out.write(batch);
				if (pause.isPositive()) {
					Thread.sleep(pause);
				}
			}
			return null;
		}
		catch (IOException ex) {
			return Duration.ofNanos(System.nanoTime() - started);
		}
	}

	private void dropWhatComes() {
		byte[] sink = new byte[64 * 1024];
		try {
			while (this.socket.getInputStream().read(sink) >= 0) {
				// dropped
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

	private static byte[] pings(int count) {
		int frame = 2 + 4 + PAYLOAD;
		byte[] batch = new byte[frame * count];
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		for (int f = 0; f < count; f++) {
			int at = f * frame;
			batch[at] = (byte) 0x89;
			batch[at + 1] = (byte) (0x80 | PAYLOAD);
			System.arraycopy(mask, 0, batch, at + 2, 4);
			for (int i = 0; i < PAYLOAD; i++) {
				batch[at + 6 + i] = (byte) ('p' ^ mask[i % 4]);
			}
		}
		return batch;
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
