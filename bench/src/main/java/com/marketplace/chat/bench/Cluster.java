package com.marketplace.chat.bench;

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

import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.TestIssuer;

/**
 * The system under test: a fresh database and {@code --replicas} chat-service processes
 * in cluster mode (the test kit's {@link ProcessReplica}), started from a private copy of
 * the packaged jar, sharing the local Redis and trusting the in-JVM {@link TestIssuer}.
 * The database is the bench's own part: it is created for the run and dropped after it.
 */
final class Cluster implements AutoCloseable {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

	private static final Duration STOP_GRACE = Duration.ofSeconds(30);

	private final Options options;

	private final String database;

	private final List<ProcessReplica> replicas = new ArrayList<>();

	Cluster(Options options) {
		this.options = options;
		this.database = "chat_bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
	}

	String jdbcUrl() {
		return this.options.jdbcBase + this.database;
	}

	List<ProcessReplica> replicas() {
		return this.replicas;
	}

	Connection jdbc() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(), this.options.dbUser, this.options.dbPassword);
	}

	void start(TestIssuer issuer) throws Exception {
		try (Connection admin = DriverManager.getConnection(this.options.jdbcBase, this.options.dbUser,
				this.options.dbPassword); Statement statement = admin.createStatement()) {
			statement.execute("CREATE DATABASE " + this.database + " CHARACTER SET utf8mb4");
		}
		Files.createDirectories(this.options.out);
		// Run a private copy: someone rebuilding chat-service meanwhile must not pull the
		// jar from under running replicas.
		Path jar = this.options.out.resolve("chat-service-under-test.jar");
		Files.copy(this.options.jar, jar, StandardCopyOption.REPLACE_EXISTING);
		for (int i = 1; i <= this.options.replicas; i++) {
			ProcessReplica replica = replica("replica-" + i, jar, issuer).launch();
			this.replicas.add(replica);
			// The first replica migrates the fresh database alone; the others follow
			// together.
			if (i == 1) {
				replica.awaitReady();
			}
		}
		for (ProcessReplica replica : this.replicas.subList(1, this.replicas.size())) {
			replica.awaitReady();
		}
	}

	private ProcessReplica.Builder replica(String name, Path jar, TestIssuer issuer) {
		List<String> jvmOptions = new ArrayList<>(
				List.of("-Xmx" + this.options.replicaHeap, "-XX:+ExitOnOutOfMemoryError"));
		jvmOptions.addAll(this.options.replicaJvmArgs);
		return ProcessReplica.builder(name)
			.jar(jar)
			.jvmOptions(jvmOptions)
			.logDirectory(this.options.out)
			.readyTimeout(READY_TIMEOUT)
			.property("spring.profiles.active", "cluster")
			.property("spring.datasource.url", jdbcUrl())
			.property("spring.datasource.username", this.options.dbUser)
			.property("spring.datasource.password", this.options.dbPassword)
			.property("spring.data.redis.host", this.options.redisHost)
			.property("spring.data.redis.port", this.options.redisPort)
			.property("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.issuerUri())
			.property("spring.security.oauth2.resourceserver.jwt.audiences", TestIssuer.AUDIENCE)
			// The per-connection rate limit is not what is measured.
			.property("chat.ws.message-rate", 100000)
			.property("chat.ws.message-burst", 100000)
			// Neither limit is what is measured. A replica starts only if Tomcat takes
			// more connections than the service's own cap (so that a full replica can
			// answer 503).
			.property("server.tomcat.max-connections", this.options.tomcatMaxConnections)
			.property("chat.ws.max-connections", this.options.tomcatMaxConnections - 1)
			.arguments(this.options.replicaArgs);
	}

	@Override
	public void close() {
		this.replicas.forEach(ProcessReplica::terminate);
		this.replicas.forEach((replica) -> replica.stop(STOP_GRACE));
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
