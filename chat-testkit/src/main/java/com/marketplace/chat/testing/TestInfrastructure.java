package com.marketplace.chat.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The real MySQL-compatible database and Redis the tests run against, once per JVM.
 * <p>
 * In this order: with {@code CHAT_TEST_JDBC_URL} (a server URL such as
 * {@code jdbc:mariadb://127.0.0.1:3306/}), {@code CHAT_TEST_DB_USER},
 * {@code CHAT_TEST_DB_PASSWORD} and {@code CHAT_TEST_REDIS_URL} set, those servers are
 * used; else a MySQL-compatible server on 127.0.0.1:3306 that lets {@code root} in
 * without a password and a Redis on 127.0.0.1:6379, when both answer; else Testcontainers
 * starts MySQL 8.4 and Redis 7 where a Docker engine exists. With none of these, every
 * test fails saying what to start. Each JVM gets a database of its own, dropped at exit.
 */
public final class TestInfrastructure {

	private static TestInfrastructure instance;

	private final String jdbcUrl;

	private final String user;

	private final String password;

	private final String redisHost;

	private final int redisPort;

	private TestInfrastructure(String serverJdbcUrl, String user, String password, String redisUrl) {
		this.user = user;
		this.password = password;
		String database = "chat_test_" + Long.toString(System.currentTimeMillis(), 36)
				+ ThreadLocalRandom.current().nextInt(1000);
		String base = serverJdbcUrl.endsWith("/") ? serverJdbcUrl : serverJdbcUrl + "/";
		execute(base, "CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				execute(base, "DROP DATABASE IF EXISTS " + database);
			}
			catch (RuntimeException ex) {
				// the server may be gone already; the database name is unique, so nothing
				// collides
			}
		}));
		this.jdbcUrl = base + database;
		URI redis = URI.create(redisUrl);
		this.redisHost = redis.getHost();
		this.redisPort = (redis.getPort() > 0) ? redis.getPort() : 6379;
	}

	public static synchronized TestInfrastructure get() {
		if (instance == null) {
			instance = start();
		}
		return instance;
	}

	private static TestInfrastructure start() {
		String jdbc = System.getenv("CHAT_TEST_JDBC_URL");
		String redis = System.getenv("CHAT_TEST_REDIS_URL");
		if (jdbc != null && !jdbc.isBlank() && redis != null && !redis.isBlank()) {
			return new TestInfrastructure(jdbc, envOr("CHAT_TEST_DB_USER", "root"), envOr("CHAT_TEST_DB_PASSWORD", ""),
					redis);
		}
		if (localServersAnswer()) {
			return new TestInfrastructure(LOCAL_JDBC_URL, "root", "", LOCAL_REDIS_URL);
		}
		if (DockerClientFactory.instance().isDockerAvailable()) {
			MySQLContainer mysql = new MySQLContainer("mysql:8.4").withUsername("root").withPassword("test");
			mysql.start();
			GenericContainer<?> redisContainer = new GenericContainer<>("redis:7").withExposedPorts(6379);
			redisContainer.start();
			String server = "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(3306) + "/";
			return new TestInfrastructure(server, "root", "test",
					"redis://" + redisContainer.getHost() + ":" + redisContainer.getMappedPort(6379));
		}
		throw new IllegalStateException("""
				These tests need a real MySQL-compatible database and a real Redis, and found no \
				configuration, no servers on 127.0.0.1:3306 (root without a password) and 127.0.0.1:6379, \
				and no Docker engine. Either start MariaDB/MySQL and Redis and set \
				CHAT_TEST_JDBC_URL=jdbc:mariadb://127.0.0.1:3306/ CHAT_TEST_DB_USER=root CHAT_TEST_DB_PASSWORD= \
				CHAT_TEST_REDIS_URL=redis://127.0.0.1:6379 (bash .ci/run does all of this), or start Docker \
				so Testcontainers can run MySQL 8.4 and Redis 7.""");
	}

	private static final String LOCAL_JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/";

	private static final String LOCAL_REDIS_URL = "redis://127.0.0.1:6379";

	/**
	 * Whether the database and Redis a developer machine runs on their default ports let
	 * us in.
	 */
	private static boolean localServersAnswer() {
		try (Connection connection = DriverManager.getConnection(LOCAL_JDBC_URL + "?connectTimeout=2000", "root", "")) {
			if (!connection.isValid(2)) {
				return false;
			}
		}
		catch (SQLException ex) {
			return false;
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
			socket.setSoTimeout(2000);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] answer = socket.getInputStream().readNBytes(7);
			return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	private void execute(String url, String sql) {
		try (Connection connection = DriverManager.getConnection(url, this.user, this.password);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run '" + sql + "' on " + url + ": " + ex.getMessage(), ex);
		}
	}

	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	public String user() {
		return this.user;
	}

	public String password() {
		return this.password;
	}

	public String redisHost() {
		return this.redisHost;
	}

	public int redisPort() {
		return this.redisPort;
	}

	public Connection openDatabase() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
	}

}
