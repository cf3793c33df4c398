package com.marketplace.chat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;

import tools.jackson.databind.JsonNode;

/**
 * The packaged jar ({@code target/chat-service-*.jar}, built by {@code package} before
 * failsafe runs) started as a separate OS process, as an operator would start it: its own
 * JVM, configuration as command-line arguments, stdout and stderr in
 * {@code target/process-logs/<name>.log}. Unlike a replica in the test JVM it can be
 * stopped with a real SIGTERM ({@link #terminate()}) or SIGKILL ({@link #kill()}).
 * <p>
 * {@link #cluster(String)} passes the in-JVM replicas' {@link ClusterSettings} (shared
 * test database and Redis, the in-JVM {@link TestIssuer}) but keeps the cluster profile's
 * JSON (ECS) logs; {@link #standalone(String)} runs the default profile on an H2 file in
 * a fresh temporary directory; {@link #builder(String)} leaves every setting to the
 * caller, and its jar, JVM options and log directory can be changed, as the bench does.
 */
public final class ProcessReplica implements Endpoint, AutoCloseable {

	/** The jar failsafe passes in ({@code chat.jar}), or the build's default location. */
	public static final Path JAR = Path.of(System.getProperty("chat.jar", "target/chat-service-0.1.0-SNAPSHOT.jar"));

	public static final Path LOG_DIRECTORY = Path.of("target", "process-logs");

	public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

	/**
	 * JVM options for the child processes unless the builder is given others: only to
	 * start faster on a small CI machine (C1 only, serial GC); they change nothing the
	 * application does, but a replica under load wants the full JIT (the bench gives its
	 * own).
	 */
	private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final Set<ProcessReplica> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		// Never leave a replica behind when this JVM ends, whatever the tests (or the
		// bench) did.
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach((replica) -> {
			replica.process.destroyForcibly();
		}), "process-replica-cleanup"));
	}

	private final String name;

	private final int port;

	private final Process process;

	private final Path logFile;

	private final List<String> command;

	private final Path temporaryDirectory;

	private final Duration readyTimeout;

	private volatile long signalledAt;

	private volatile long exitedAt;

	private ProcessReplica(String name, int port, Process process, Path logFile, List<String> command,
			Builder builder) {
		this.name = name;
		this.port = port;
		this.process = process;
		this.logFile = logFile;
		this.command = command;
		this.temporaryDirectory = builder.temporaryDirectory;
		this.readyTimeout = builder.readyTimeout;
		process.onExit().thenRun(() -> this.exitedAt = System.nanoTime());
	}

	/**
	 * A standalone replica (the default profile) on an H2 file in a new temporary
	 * directory.
	 */
	public static Builder standalone(String name) {
		Path dataDirectory;
		try {
			dataDirectory = Files.createTempDirectory("chat-standalone-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Builder builder = builder(name).property("spring.datasource.url", "jdbc:h2:file:"
				+ dataDirectory.toAbsolutePath() + "/chat;MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE");
		builder.temporaryDirectory = dataDirectory;
		return builder;
	}

	/**
	 * A cluster replica on the shared test database and Redis, trusting the in-JVM test
	 * issuer: the {@link ClusterSettings} the in-JVM replicas get, as command-line
	 * arguments.
	 */
	public static Builder cluster(String name) {
		Builder builder = builder(name).property("spring.profiles.active", "cluster");
		ClusterSettings.forTests().forEach(builder::property);
		return builder;
	}

	/**
	 * A replica with no settings but its port and loopback address: the caller gives the
	 * profile, the servers and the issuer (the bench does, for its own database and
	 * issuer).
	 */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	/** How a replica process is started; {@link #start()} waits until it is ready. */
	public static final class Builder {

		private final String name;

		private final Map<String, Object> properties = new LinkedHashMap<>();

		private final List<String> arguments = new ArrayList<>();

		private List<String> jvmOptions = JVM_OPTIONS;

		private Path jar = JAR;

		private Path logDirectory = LOG_DIRECTORY;

		private Duration readyTimeout = READY_TIMEOUT;

		private int port;

		private Path temporaryDirectory;

		private Builder(String name) {
			this.name = name;
			property("spring.jmx.enabled", false);
		}

		public Builder property(String key, Object value) {
			this.properties.put(key, value);
			return this;
		}

		/**
		 * Command-line arguments as given (e.g. {@code --chat.fanout.gap-wait=100ms}),
		 * after the properties.
		 */
		public Builder arguments(List<String> arguments) {
			this.arguments.addAll(arguments);
			return this;
		}

		/** JVM options before {@code -jar}, instead of the quick-start ones. */
		public Builder jvmOptions(List<String> options) {
			this.jvmOptions = List.copyOf(options);
			return this;
		}

		/** Another jar than {@link ProcessReplica#JAR}. */
		public Builder jar(Path jar) {
			this.jar = jar;
			return this;
		}

		/**
		 * Where {@code <name>.log} goes, instead of {@link ProcessReplica#LOG_DIRECTORY}.
		 */
		public Builder logDirectory(Path directory) {
			this.logDirectory = directory;
			return this;
		}

		/**
		 * How long {@link ProcessReplica#awaitReady()} waits, instead of
		 * {@link ProcessReplica#READY_TIMEOUT}.
		 */
		public Builder readyTimeout(Duration timeout) {
			this.readyTimeout = timeout;
			return this;
		}

		/**
		 * A fixed port (to restart a replica where a load balancer expects it); free by
		 * default.
		 */
		public Builder port(int port) {
			this.port = port;
			return this;
		}

		/**
		 * Starts the process without waiting for it: {@link ProcessReplica#awaitReady()}
		 * does.
		 */
		public ProcessReplica launch() {
			if (!Files.isRegularFile(this.jar)) {
				throw new IllegalStateException("No packaged jar at " + this.jar.toAbsolutePath()
						+ ": run the integration tests through Maven (`./mvnw verify`), which packages it first");
			}
			int chosenPort = (this.port != 0) ? this.port : freePort();
			List<String> command = new ArrayList<>();
			command.add(javaExecutable());
			command.addAll(this.jvmOptions);
			command.add("-jar");
			command.add(this.jar.toAbsolutePath().toString());
			command.add("--server.port=" + chosenPort);
			command.add("--server.address=127.0.0.1");
			this.properties.forEach((key, value) -> command.add("--" + key + "=" + value));
			command.addAll(this.arguments);
			try {
				Files.createDirectories(this.logDirectory);
				Path logFile = this.logDirectory.resolve(this.name + ".log");
				Files.writeString(logFile, "");
				Process process = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
					.start();
				ProcessReplica replica = new ProcessReplica(this.name, chosenPort, process, logFile, command, this);
				RUNNING.add(replica);
				process.onExit().thenRun(() -> RUNNING.remove(replica));
				return replica;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start " + command, ex);
			}
		}

		/** Starts the process and waits until its readiness probe answers 200. */
		public ProcessReplica start() {
			return launch().awaitReady();
		}

	}

	/**
	 * Waits up to the ready timeout for {@code /actuator/health/readiness} to answer 200.
	 */
	public ProcessReplica awaitReady() {
		long started = System.nanoTime();
		long deadline = started + this.readyTimeout.toNanos();
		HttpRequest probe = HttpRequest.newBuilder(URI.create(httpUrl() + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(2))
			.build();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new AssertionError(this.name + " exited with " + this.process.exitValue()
						+ " before it was ready; the end of its log:\n" + logTail(60));
			}
			try {
				if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					System.out.printf("[%s] ready on port %d after %d ms (pid %d)%n", this.name, this.port,
							(System.nanoTime() - started) / 1_000_000, this.process.pid());
					return this;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
			sleep(Duration.ofMillis(250));
		}
		this.process.destroyForcibly();
		throw new AssertionError(this.name + " was not ready within " + this.readyTimeout + " (command: "
				+ String.join(" ", this.command) + "); the end of its log:\n" + logTail(60));
	}

	/** SIGTERM: a graceful stop, as Kubernetes or docker stop would ask for it. */
	public void terminate() {
		this.signalledAt = System.nanoTime();
		this.process.destroy();
	}

	/** SIGKILL: the process dies at once, without closing anything. */
	public void kill() {
		this.signalledAt = System.nanoTime();
		this.process.destroyForcibly();
	}

	/**
	 * SIGTERM (unless {@link #terminate()} sent it already), then SIGKILL if the process
	 * has not exited within {@code grace}; answers whether it exited on its own.
	 */
	public boolean stop(Duration grace) {
		if (this.signalledAt == 0) {
			terminate();
		}
		try {
			if (this.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				return true;
			}
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		return false;
	}

	/**
	 * Waits for the process to exit and returns how long it took from the signal (or from
	 * now, without one); an AssertionError with the log's tail if it does not exit in
	 * time.
	 */
	public Duration waitForExit(Duration timeout) {
		long from = (this.signalledAt != 0) ? this.signalledAt : System.nanoTime();
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError(
						this.name + " did not exit within " + timeout + "; the end of its log:\n" + logTail(40));
			}
			this.process.onExit().get(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
		long exited = (this.exitedAt != 0) ? this.exitedAt : System.nanoTime();
		return Duration.ofNanos(exited - from);
	}

	public int exitValue() {
		return this.process.exitValue();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public long pid() {
		return this.process.pid();
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public int port() {
		return this.port;
	}

	public Path logFile() {
		return this.logFile;
	}

	/** Everything the process wrote to stdout and stderr so far. */
	public String logText() {
		try {
			return Files.readString(this.logFile, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String logTail(int lines) {
		List<String> all = logText().lines().toList();
		return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
	}

	/**
	 * The value of a Prometheus gauge or counter in {@code /actuator/prometheus} (summed
	 * over its tag combinations; 0 when absent), e.g. {@code chat_ws_connections}.
	 */
	public double metric(String name) {
		double sum = 0;
		for (String line : prometheus().lines().toList()) {
			if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return sum;
	}

	/** The page {@code /actuator/prometheus} answers. */
	public String prometheus() {
		Rest.Response response = get(httpUrl() + "/actuator/prometheus", null);
		if (response.status() != 200) {
			throw new IllegalStateException(this.name + " /actuator/prometheus answered " + response.status());
		}
		return response.raw();
	}

	/**
	 * Kills the process if it still runs (tests stop it on purpose with terminate or
	 * kill) and deletes its temporary data directory, if it has one. The log stays.
	 */
	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.temporaryDirectory != null && !this.process.isAlive()) {
			try (Stream<Path> files = Files.walk(this.temporaryDirectory)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
			catch (IOException ex) {
				// a leftover temporary directory harms nothing
			}
		}
	}

	@Override
	public String toString() {
		return this.name + "@" + this.port;
	}

	// Helpers for talking to a replica (or a load balancer) by URL; Rest and Chats take
	// an Endpoint.

	public static Rest.Response get(String url, String token) {
		return call(HttpRequest.newBuilder(URI.create(url)).GET(), token);
	}

	public static Rest.Response post(String url, String token, Map<String, ?> body) {
		return call(HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(WsClient.JSON.writeValueAsString(body))), token);
	}

	private static Rest.Response call(HttpRequest.Builder request, String token) {
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
			String raw = response.body();
			boolean json = raw != null && (raw.trim().startsWith("{") || raw.trim().startsWith("["));
			JsonNode body = json ? WsClient.JSON.readTree(raw) : null;
			return new Rest.Response(response.statusCode(), body, raw, response.headers());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A service chat between the two parties, created by the client through the REST API
	 * at the base URL.
	 */
	public static Chat serviceChat(String httpBase, Party client, Party master) {
		Rest.Response created = post(httpBase + "/api/service-chats", client.token(),
				Map.of("client_id", client.id(), "master_id", master.id()));
		if (created.status() != 201) {
			throw new AssertionError("creating a service chat answered " + created.status() + ": " + created.raw());
		}
		return new Chat("service", created.body().get("id").asLong(), client, master);
	}

	/**
	 * The chat's WebSocket URL at a base such as {@code ws://127.0.0.1:8000}, token in
	 * the query.
	 */
	public static String wsUrl(String wsBase, Chat chat, Party party) {
		return wsBase + chat.wsPath() + "?token=" + party.token();
	}

	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String javaExecutable() {
		// The JVM running the tests is one the build accepted (>= 21); JAVA_HOME may
		// point to an older default JDK.
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
