package com.marketplace.chat.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system under test: a fresh MariaDB database and {@code replicas} chat-service
 * processes in cluster mode, started from (a copy of) the packaged jar, sharing the
 * local Redis and trusting the bench's {@link TokenIssuer}.
 */
final class Cluster implements AutoCloseable {

	private final Options options;

	private final String database;

	private final List<Replica> replicas = new ArrayList<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	record Replica(int index, int port, Process process, Path log) {

		String http() {
			return "http://127.0.0.1:" + this.port;
		}

		String ws() {
			return "ws://127.0.0.1:" + this.port;
		}

		long pid() {
			return this.process.pid();
		}

	}

	Cluster(Options options) {
		this.options = options;
		this.database = "chat_bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
	}

	String jdbcUrl() {
		return this.options.jdbcBase + this.database;
	}

	List<Replica> replicas() {
		return this.replicas;
	}

	Connection jdbc() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(), this.options.dbUser, this.options.dbPassword);
	}

	void start(TokenIssuer issuer) throws Exception {
		try (Connection admin = DriverManager.getConnection(this.options.jdbcBase, this.options.dbUser,
				this.options.dbPassword); Statement statement = admin.createStatement()) {
			statement.execute("CREATE DATABASE " + this.database + " CHARACTER SET utf8mb4");
		}
		Files.createDirectories(this.options.out);
		// Run a private copy: someone rebuilding chat-service meanwhile must not pull the
		// jar from under running replicas.
		Path jar = this.options.out.resolve("chat-service-under-test.jar");
		Files.copy(this.options.jar, jar, StandardCopyOption.REPLACE_EXISTING);
		String java = ProcessHandle.current().info().command().orElse("java");
		for (int i = 0; i < this.options.replicas; i++) {
			int port = freePort();
			List<String> command = new ArrayList<>(List.of(java, "-Xmx" + this.options.replicaHeap,
					"-XX:+ExitOnOutOfMemoryError"));
			command.addAll(this.options.replicaJvmArgs);
			command.addAll(List.of("-jar", jar.toString(), "--spring.profiles.active=cluster",
					"--server.port=" + port, "--server.address=127.0.0.1", "--spring.datasource.url=" + jdbcUrl(),
					"--spring.datasource.username=" + this.options.dbUser,
					"--spring.datasource.password=" + this.options.dbPassword,
					"--spring.data.redis.host=" + this.options.redisHost,
					"--spring.data.redis.port=" + this.options.redisPort,
					"--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + issuer.jwkSetUri(),
					"--spring.security.oauth2.resourceserver.jwt.audiences=" + TokenIssuer.AUDIENCE,
					"--chat.ws.message-rate=100000", "--chat.ws.message-burst=100000",
					"--chat.ws.max-connections=50000",
					// Tomcat accepts 8192 connections by default; the idle workload needs more.
					"--server.tomcat.max-connections=" + this.options.tomcatMaxConnections));
			command.addAll(this.options.replicaArgs);
			Path log = this.options.out.resolve("replica-" + (i + 1) + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			Replica replica = new Replica(i, port, process, log);
			this.replicas.add(replica);
			// The first replica migrates the fresh database alone; the others follow together.
			if (i == 0) {
				awaitReady(replica);
			}
		}
		for (Replica replica : this.replicas) {
			awaitReady(replica);
		}
	}

	private void awaitReady(Replica replica) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
		while (System.nanoTime() < deadline) {
			if (!replica.process().isAlive()) {
				throw new IllegalStateException("replica " + (replica.index() + 1) + " exited with "
						+ replica.process().exitValue() + "; see " + replica.log());
			}
			try {
				HttpResponse<Void> response = this.http.send(
						HttpRequest.newBuilder(URI.create(replica.http() + "/actuator/health/readiness"))
							.timeout(Duration.ofSeconds(5))
							.build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("replica " + (replica.index() + 1) + " not ready in 180 s; see " + replica.log());
	}

	/** The replica's Prometheus page. */
	String prometheus(Replica replica) throws Exception {
		return this.http
			.send(HttpRequest.newBuilder(URI.create(replica.http() + "/actuator/prometheus"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() {
		for (Replica replica : this.replicas) {
			replica.process().destroy();
		}
		for (Replica replica : this.replicas) {
			try {
				if (!replica.process().waitFor(30, TimeUnit.SECONDS)) {
					replica.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				replica.process().destroyForcibly();
			}
		}
		if (this.options.keepDatabase) {
			System.out.println("kept database " + this.database);
			return;
		}
		try (Connection admin = DriverManager.getConnection(this.options.jdbcBase, this.options.dbUser,
				this.options.dbPassword); Statement statement = admin.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + this.database);
		}
		catch (SQLException ex) {
			System.err.println("could not drop database " + this.database + ": " + ex.getMessage());
		}
	}

}
