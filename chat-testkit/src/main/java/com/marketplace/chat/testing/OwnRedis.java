package com.marketplace.chat.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * A {@code redis-server} this test starts on a free port, so it can kill and restart it
 * without disturbing anything else. Needs Redis installed ({@code redis-server} on PATH).
 */
public final class OwnRedis implements AutoCloseable {

	private final int port;

	private Process process;

	public OwnRedis() {
		try (ServerSocket socket = new ServerSocket(0)) {
			this.port = socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		start();
	}

	public int port() {
		return this.port;
	}

	public void start() {
		try {
			this.process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(this.port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no"))
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(
					"These tests start their own redis-server; install Redis (apt-get install redis-server)", ex);
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			try (Socket ignored = new Socket("127.0.0.1", this.port)) {
				return;
			}
			catch (IOException notYet) {
				sleep(50);
			}
		}
		throw new IllegalStateException("redis-server did not start on port " + this.port);
	}

	/** Kills the server abruptly, as a crash would. */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		if (this.process != null && this.process.isAlive()) {
			kill();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
