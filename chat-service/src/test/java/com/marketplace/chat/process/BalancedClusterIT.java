package com.marketplace.chat.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.TestInfrastructure;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two cluster replicas started from the packaged jar as separate processes, on the shared
 * test MariaDB and Redis, trusting the in-JVM test issuer, behind Debian's nginx running
 * a configuration derived from {@code deploy/nginx.conf}. Clients connect through nginx
 * as they would in production. The replicas are stopped for real: SIGTERM (a rolling
 * update) and SIGKILL (a crash).
 * <p>
 * Processes are expensive on a small machine, so the tests share them and run in order;
 * each starts by making sure two replicas are running (a stopped one is restarted on its
 * port, where nginx expects it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BalancedClusterIT {

	private static final Path DEPLOY_NGINX_CONF = Path.of("..", "deploy", "nginx.conf");

	private static final Path NGINX = Path.of("/usr/sbin/nginx");

	/** The drain time: {@code spring.lifecycle.timeout-per-shutdown-phase}. */
	private static final Duration DRAIN_TIME = Duration.ofSeconds(20);

	private static final ProcessReplica[] replicas = new ProcessReplica[2];

	private static final List<ProcessReplica> stopped = new CopyOnWriteArrayList<>();

	private static final List<Path> accessLogDirectories = new CopyOnWriteArrayList<>();

	private static final AtomicInteger generation = new AtomicInteger();

	private static CompletableFuture<ProcessReplica> restarting;

	private static Nginx nginx;

	@BeforeAll
	static void startTwoReplicasBehindNginx() {
		TestInfrastructure.get();
		TestIssuer.get();
		ProcessReplica a = replica("cluster-a", 0).launch();
		ProcessReplica b = replica("cluster-b", 0).launch();
		replicas[0] = a.awaitReady();
		replicas[1] = b.awaitReady();
		nginx = Nginx.start(a.port(), b.port());
	}

	@AfterAll
	static void stopEverything() {
		if (nginx != null) {
			nginx.close();
		}
		if (restarting != null) {
			restarting.thenAccept(ProcessReplica::close);
		}
		Stream.concat(Stream.of(replicas), stopped.stream()).filter((r) -> r != null).forEach(ProcessReplica::close);
	}

	/**
	 * A cluster replica with Tomcat's access log turned on (unbuffered, so the test can
	 * read it at once) in its own directory, and the application's own loggers at DEBUG.
	 * The access log pattern is the one the application ships.
	 */
	private static ProcessReplica.Builder replica(String name, int port) {
		Path accessLogs = ProcessReplica.LOG_DIRECTORY.resolve(name + "-access").toAbsolutePath();
		try {
			if (Files.isDirectory(accessLogs)) {
				try (Stream<Path> old = Files.list(accessLogs)) {
					old.forEach((file) -> file.toFile().delete());
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		accessLogDirectories.add(accessLogs);
		return ProcessReplica.cluster(name)
			.port(port)
			.property("server.tomcat.accesslog.enabled", true)
			.property("server.tomcat.accesslog.directory", accessLogs)
			.property("server.tomcat.accesslog.buffered", false)
			.property("logging.level.com.marketplace.chat", "DEBUG")
			.property("logging.level.org.springframework.web", "DEBUG");
	}

	/**
	 * Two running replicas, restarting a stopped one on its old port (nginx's upstream).
	 */
	private static void ensureTwoReplicasRun() {
		if (restarting != null) {
			ProcessReplica restarted = restarting.join();
			restarting = null;
			for (int i = 0; i < replicas.length; i++) {
				if (replicas[i].port() == restarted.port()) {
					replicas[i] = restarted;
				}
			}
		}
		for (int i = 0; i < replicas.length; i++) {
			if (!replicas[i].isAlive()) {
				stopped.add(replicas[i]);
				replicas[i] = restart(replicas[i]).awaitReady();
			}
		}
	}

	private static ProcessReplica restart(ProcessReplica old) {
		return replica(old.name().replaceAll("-restarted-\\d+$", "") + "-restarted-" + generation.incrementAndGet(),
				old.port())
			.launch();
	}

	@Test
	@Order(1)
	void neverWritesATokenToTheJsonLogsTheTomcatAccessLogOrNginxsLog() {
		ensureTwoReplicasRun();
		TestIssuer issuer = TestIssuer.get();
		Party client = Party.newUser("client");
		Party master = Party.newUser("master");
		Chat chat = ProcessReplica.serviceChat(nginx.httpUrl(), client, master);
		String badToken = issuer.badlySignedToken(client.id());

		try (WsClient accepted = WsClient.connect(ProcessReplica.wsUrl(nginx.wsUrl(), chat, client))) {
			accepted.send("{\"type\":\"ping\"}");
			expectType(accepted.next(), "pong");
		}
		String refusedUrl = nginx.wsUrl() + chat.wsPath() + "?token=" + badToken;
		assertThat(WsClient.refusal(refusedUrl, Map.of())).as("a badly signed token is refused").isEqualTo(401);
		for (ProcessReplica replica : replicas) {
			assertThat(WsClient.refusal(replica.wsUrl() + chat.wsPath() + "?token=" + badToken, Map.of()))
				.isEqualTo(401);
		}

		List<String> secrets = List.of(client.token(), signature(client.token()), badToken, signature(badToken));
		String wsPath = chat.wsPath();
		// nginx writes its access-log line when the proxied connection ends.
		awaitTrue(Duration.ofSeconds(10),
				() -> logged(nginx.logText(), wsPath, 101) && logged(nginx.logText(), wsPath, 401),
				"nginx logged both handshakes");
		awaitTrue(Duration.ofSeconds(10), () -> logged(accessLogs(), wsPath, 101) && logged(accessLogs(), wsPath, 401),
				"Tomcat logged both handshakes");

		for (ProcessReplica replica : replicas) {
			List<String> lines = replica.logText().lines().filter((line) -> !line.isBlank()).toList();
			List<String> notJson = lines.stream().filter((line) -> !isEcsJson(line)).toList();
			System.out.printf("[%s] log: %d lines, %d ECS JSON, %d other%s%n", replica.name(), lines.size(),
					lines.size() - notJson.size(), notJson.size(),
					notJson.isEmpty() ? "" : "; first other: " + notJson.get(0));
			assertThat(lines.size() - notJson.size()).as("%s logs ECS JSON lines", replica.name())
				.isGreaterThanOrEqualTo(10);
			assertThat(notJson).as("%s writes every log line as ECS JSON", replica.name()).isEmpty();
			assertContainsNone(replica.name() + "'s log", replica.logText(), secrets);
		}
		String accessLogs = accessLogs();
		System.out.println("[tomcat access log] " + accessLogs.lines()
			.filter((line) -> line.contains(wsPath))
			.collect(Collectors.joining("\n[tomcat access log] ")));
		assertContainsNone("the Tomcat access logs", accessLogs, secrets);
		assertThat(accessLogs).as("the Tomcat access logs carry no query string").doesNotContain("?token=");
		assertContainsNone("nginx's log", nginx.logText(), secrets);
		assertThat(nginx.logText()).doesNotContain("?token=");
	}

	@Test
	@Order(2)
	void balancesTwoClientsOverBothReplicasAndAStoppedReplicasClientResumesOnTheSurvivor() {
		ensureTwoReplicasRun();
		awaitConnections(0, 0);
		Party client = Party.newUser("client");
		Party master = Party.newUser("master");
		Chat chat = ProcessReplica.serviceChat(nginx.httpUrl(), client, master);

		WsClient clientSocket = WsClient.connect(ProcessReplica.wsUrl(nginx.wsUrl(), chat, client));
		awaitTrue(Duration.ofSeconds(5), () -> connections(0) + connections(1) == 1, "the first connection counted");
		int victimIndex = (connections(0) == 1) ? 0 : 1;
		ProcessReplica victim = replicas[victimIndex];
		ProcessReplica survivor = replicas[1 - victimIndex];
		try (WsClient masterSocket = WsClient.connect(ProcessReplica.wsUrl(nginx.wsUrl(), chat, master))) {
			awaitConnections(1, 1);
			System.out.printf("[balance] client on %s, master on %s%n", victim, survivor);

			clientSocket.sendJson(Map.of("type", "message", "content", "Добрый день! 🛠️", "client_message_id", "b-1"));
			JsonNode ack = expectType(clientSocket.next(), "ack");
			JsonNode atMaster = expectType(masterSocket.next(), "message");
			assertThat(atMaster.get("id").asLong()).isEqualTo(ack.get("id").asLong());
			assertThat(atMaster.get("content").asString()).isEqualTo("Добрый день! 🛠️");
			assertThat(atMaster.get("sender_id").asLong()).isEqualTo(client.id());

			masterSocket.sendMessage("Здравствуйте, уже еду 🚗");
			JsonNode masterAck = expectType(masterSocket.next(), "ack");
			JsonNode atClient = expectType(clientSocket.next(), "message");
			assertThat(atClient.get("id").asLong()).isEqualTo(masterAck.get("id").asLong());
			assertThat(atClient.get("content").asString()).isEqualTo("Здравствуйте, уже еду 🚗");
			assertThat(atClient.get("seq").asLong()).isEqualTo(2);
			assertThat(clientSocket.drain(Duration.ofMillis(500))).as("no echo or repeat to the client").isEmpty();
			assertThat(masterSocket.drain(Duration.ofMillis(100))).as("no echo or repeat to the master").isEmpty();
			long lastSeen = atClient.get("id").asLong();

			// A rolling update stops the client's replica.
			victim.terminate();
			long signalled = System.nanoTime();
			assertThat(clientSocket.closeCode(Duration.ofSeconds(10))).as("the client is told: going away")
				.isEqualTo(1001);
			long goingAwayMillis = (System.nanoTime() - signalled) / 1_000_000;

			List<Long> sentMeanwhile = new ArrayList<>();
			for (int i = 1; i <= 5; i++) {
				masterSocket.sendMessage("пока вас не было " + i);
				sentMeanwhile.add(expectType(masterSocket.next(), "ack").get("id").asLong());
			}

			try (WsClient resumed = WsClient
				.connect(ProcessReplica.wsUrl(nginx.wsUrl(), chat, client) + "&after_id=" + lastSeen)) {
				List<JsonNode> replay = new ArrayList<>();
				for (int i = 0; i < 5; i++) {
					replay.add(expectType(resumed.next(Duration.ofSeconds(10)), "message"));
				}
				assertThat(replay).extracting((frame) -> frame.get("id").asLong())
					.as("the messages sent meanwhile, in order, once each")
					.containsExactlyElementsOf(sentMeanwhile);
				assertThat(replay).extracting((frame) -> frame.get("content").asString())
					.containsExactly("пока вас не было 1", "пока вас не было 2", "пока вас не было 3",
							"пока вас не было 4", "пока вас не было 5");
				assertThat(resumed.drain(Duration.ofMillis(700))).as("nothing twice after the replay").isEmpty();
				assertThat(masterSocket.drain(Duration.ofMillis(100))).isEmpty();
				assertThat(survivor.metric("chat_ws_connections")).as("the client resumed on the survivor")
					.isEqualTo(2.0);
			}

			Duration exit = victim.waitForExit(DRAIN_TIME.plusSeconds(10));
			System.out.printf("[sigterm] %s: close 1001 after %d ms, process exited %d ms after SIGTERM, status %d%n",
					victim.name(), goingAwayMillis, exit.toMillis(), victim.exitValue());
			System.out.printf("[sigterm] %s logged its shutdown over %d ms:%n%s%n", victim.name(),
					loggedShutdownMillis(victim), shutdownLines(victim));
			assertThat(exit).as("the replica exits within the drain time").isLessThan(DRAIN_TIME);
			assertThat(victim.exitValue()).as("a JVM stopped by SIGTERM").isEqualTo(143);
		}
		finally {
			clientSocket.close();
		}
		// Restart the stopped replica on its port while the next test gets going.
		ProcessReplica next = restart(victim);
		restarting = CompletableFuture.supplyAsync(next::awaitReady);
	}

	@Test
	@Order(3)
	void aKilledReplicasClientResumesOnTheOtherReplicaWithoutLossOrDuplicates() throws Exception {
		ensureTwoReplicasRun();
		awaitConnections(0, 0);
		Party clientUser = Party.newUser("client");
		Party masterUser = Party.newUser("master");
		Chat chat = ProcessReplica.serviceChat(nginx.httpUrl(), clientUser, masterUser);

		Peer client = new Peer("client", chat, clientUser, nginx.wsUrl());
		awaitTrue(Duration.ofSeconds(5), () -> connections(0) + connections(1) == 1, "the client's connection counted");
		int victimIndex = (connections(0) == 1) ? 0 : 1;
		ProcessReplica victim = replicas[victimIndex];
		ProcessReplica survivor = replicas[1 - victimIndex];
		// The master talks to the survivor directly: it stays connected throughout.
		Peer master = new Peer("master", chat, masterUser, survivor.wsUrl());
		awaitConnections(1, 1);
		System.out.printf("[crash] client on %s (through nginx), master on %s%n", victim, survivor);

		int perSide = 120;
		long killedAt = 0;
		ExecutorService senders = Executors.newFixedThreadPool(2);
		try {
			Future<?> clientSending = senders.submit(() -> client.send(perSide, "c", Duration.ofMillis(15)));
			Future<?> masterSending = senders.submit(() -> master.send(perSide, "m", Duration.ofMillis(15)));
			awaitTrue(Duration.ofSeconds(30), () -> client.acked() >= 40 && master.acked() >= 40,
					"both sides sent 40 messages");
			victim.kill();
			killedAt = System.nanoTime();
			int ackedAtKill = master.acked();
			clientSending.get(60, TimeUnit.SECONDS);
			masterSending.get(60, TimeUnit.SECONDS);
			Duration exit = victim.waitForExit(Duration.ofSeconds(10));
			System.out.printf("[crash] SIGKILL to %s after %d master messages; exited %d ms later with status %d%n",
					victim.name(), ackedAtKill, exit.toMillis(), victim.exitValue());
			assertThat(victim.exitValue()).isEqualTo(137);
		}
		finally {
			senders.shutdownNow();
		}
		// Whatever is still on its way.
		client.collect(Duration.ofSeconds(1));
		master.collect(Duration.ofMillis(300));

		System.out.printf(
				"[crash] ledger: master sent %d (acked), client received %d from it (%d distinct); client sent %d (acked, "
						+ "%d retries after the crash), master received %d (%d distinct); client reconnects %d "
						+ "(lost with %s, %d ms from kill to resumed), own messages replayed on resume %d%n",
				master.ackIds().size(), client.fromOther().size(), client.fromOther().stream().distinct().count(),
				client.ackIds().size(), client.retries.get(), master.fromOther().size(),
				master.fromOther().stream().distinct().count(), client.reconnects.get(), client.lostWith,
				(client.resumedAt - killedAt) / 1_000_000, client.ownReplayed.size());

		assertThat(client.reconnects.get()).as("the client reconnected once, after the crash").isEqualTo(1);
		assertThat(client.lostWith).as("a killed replica sends no close frame").isEqualTo(1006);
		assertThat(master.reconnects.get()).as("the master's replica kept running").isZero();
		assertThat(master.ackIds()).hasSize(perSide).doesNotHaveDuplicates();
		assertThat(client.ackIds()).hasSize(perSide).doesNotHaveDuplicates();
		assertThat(client.fromOther()).as("the client received every master message once, in order")
			.containsExactlyElementsOf(master.ackIds());
		assertThat(master.fromOther()).as("the master received every client message once, in order")
			.containsExactlyElementsOf(client.ackIds());
		assertThat(client.ownReplayed).as("a replay after after_id holds only the client's own acknowledged messages")
			.doesNotHaveDuplicates()
			.isSubsetOf(client.ackIds());
		List<Long> seqs = Stream.concat(master.ackSeqs().stream(), master.fromOtherSeqs().stream()).sorted().toList();
		assertThat(seqs).as("the chat holds each message once: seq 1..%d without holes", 2 * perSide)
			.containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * perSide).boxed().toList());
		client.close();
		master.close();
		assertThat(survivor.isAlive()).isTrue();
	}

	private static double connections(int index) {
		return replicas[index].metric("chat_ws_connections");
	}

	private static void awaitConnections(int first, int second) {
		awaitTrue(Duration.ofSeconds(10), () -> connections(0) == first && connections(1) == second,
				"chat_ws_connections " + first + " on " + replicas[0] + " and " + second + " on " + replicas[1]);
	}

	private static void awaitTrue(Duration timeout, BooleanSupplier condition, String what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("not within " + timeout + ": " + what);
			}
			sleep(50);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/** An access-log line for a request to the path answered with the status. */
	private static boolean logged(String log, String path, int status) {
		Pattern line = Pattern.compile(".*" + Pattern.quote(path) + "\\b.*\"\\s" + status + "\\s.*");
		return log.lines().anyMatch((entry) -> line.matcher(entry).matches());
	}

	private static String signature(String jwt) {
		return jwt.substring(jwt.lastIndexOf('.') + 1);
	}

	private static void assertContainsNone(String where, String text, List<String> secrets) {
		for (String secret : secrets) {
			int at = text.indexOf(secret);
			if (at >= 0) {
				int lineStart = text.lastIndexOf('\n', at) + 1;
				int lineEnd = text.indexOf('\n', at);
				throw new AssertionError(where + " contains a token (or its signature) in:\n"
						+ text.substring(lineStart, (lineEnd < 0) ? text.length() : lineEnd));
			}
		}
	}

	private static boolean isEcsJson(String line) {
		if (!line.startsWith("{")) {
			return false;
		}
		try {
			JsonNode json = WsClient.JSON.readTree(line);
			return json.path("ecs").path("version").isString() || json.path("ecs.version").isString();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String accessLogs() {
		StringBuilder all = new StringBuilder();
		try {
			for (Path directory : accessLogDirectories) {
				if (!Files.isDirectory(directory)) {
					continue;
				}
				try (Stream<Path> logs = Files.list(directory)) {
					for (Path log : logs.toList()) {
						all.append(Files.readString(log, StandardCharsets.UTF_8));
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return all.toString();
	}

	/**
	 * From the log's "Commencing graceful shutdown" to its last line, by their
	 * timestamps.
	 */
	private static long loggedShutdownMillis(ProcessReplica replica) {
		List<Instant> times = new ArrayList<>();
		boolean shuttingDown = false;
		for (String line : replica.logText().lines().filter(BalancedClusterIT::isEcsJson).toList()) {
			JsonNode json = WsClient.JSON.readTree(line);
			shuttingDown |= json.path("message").asString().startsWith("Commencing graceful shutdown");
			if (shuttingDown) {
				times.add(Instant.parse(json.path("@timestamp").asString()));
			}
		}
		return times.isEmpty() ? -1 : Duration.between(times.get(0), times.get(times.size() - 1)).toMillis();
	}

	/**
	 * The log's messages from "Commencing graceful shutdown" on, one line each with its
	 * time.
	 */
	private static String shutdownLines(ProcessReplica replica) {
		List<String> lines = new ArrayList<>();
		boolean shuttingDown = false;
		for (String line : replica.logText().lines().filter(BalancedClusterIT::isEcsJson).toList()) {
			JsonNode json = WsClient.JSON.readTree(line);
			String message = json.path("message").asString();
			shuttingDown |= message.startsWith("Commencing graceful shutdown");
			if (shuttingDown) {
				lines.add("    " + json.path("@timestamp").asString() + " " + json.path("log").path("level").asString()
						+ " " + message);
			}
		}
		return String.join("\n", lines);
	}

	/**
	 * One side of a conversation that sends messages with {@code client_message_id}s and
	 * waits for each ack, recording everything it receives; when its connection drops it
	 * reconnects with {@code after_id} (the last message id it received) and retries the
	 * unacknowledged message with the same id.
	 */
	private static final class Peer {

		private final String name;

		private final Chat chat;

		private final Party self;

		private final String wsBase;

		private WsClient socket;

		private final List<JsonNode> acks = new CopyOnWriteArrayList<>();

		private final List<JsonNode> fromOther = new CopyOnWriteArrayList<>();

		private final List<Long> ownReplayed = new CopyOnWriteArrayList<>();

		private final AtomicInteger reconnects = new AtomicInteger();

		private final AtomicInteger retries = new AtomicInteger();

		private volatile long lastMessageId;

		private volatile Integer lostWith;

		private volatile long resumedAt;

		Peer(String name, Chat chat, Party self, String wsBase) {
			this.name = name;
			this.chat = chat;
			this.self = self;
			this.wsBase = wsBase;
			this.socket = WsClient.connect(url());
		}

		private String url() {
			String url = ProcessReplica.wsUrl(this.wsBase, this.chat, this.self);
			return (this.lastMessageId > 0) ? url + "&after_id=" + this.lastMessageId : url;
		}

		int acked() {
			return this.acks.size();
		}

		List<Long> ackIds() {
			return this.acks.stream().map((ack) -> ack.get("id").asLong()).toList();
		}

		List<Long> ackSeqs() {
			return this.acks.stream().map((ack) -> ack.get("seq").asLong()).toList();
		}

		List<Long> fromOther() {
			return this.fromOther.stream().map((message) -> message.get("id").asLong()).toList();
		}

		List<Long> fromOtherSeqs() {
			return this.fromOther.stream().map((message) -> message.get("seq").asLong()).toList();
		}

		void send(int count, String prefix, Duration pause) {
			for (int i = 1; i <= count; i++) {
				String clientMessageId = prefix + "-" + i;
				Map<String, String> frame = Map.of("type", "message", "content", prefix + " №" + i + " ✓ привет",
						"client_message_id", clientMessageId);
				for (int attempt = 1;; attempt++) {
					assertThat(attempt).as("%s: attempts to send %s", this.name, clientMessageId)
						.isLessThanOrEqualTo(5);
					if (attempt > 1) {
						this.retries.incrementAndGet();
					}
					JsonNode ack = null;
					try {
						this.socket.sendJson(frame);
						ack = awaitAck(clientMessageId);
					}
					catch (CompletionException | IllegalStateException ex) {
						// the connection is gone; reconnect below
					}
					if (ack != null) {
						this.acks.add(ack);
						break;
					}
					reconnect();
				}
				sleep(pause.toMillis());
			}
		}

		/**
		 * The ack for the id, recording messages on the way; null when the connection
		 * dropped first.
		 */
		private JsonNode awaitAck(String clientMessageId) {
			long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
			while (System.nanoTime() < deadline) {
				JsonNode frame = poll(Duration.ofMillis(200));
				if (frame == null) {
					if (!this.socket.isOpen()) {
						return null;
					}
					continue;
				}
				if ("ack".equals(frame.path("type").asString())
						&& clientMessageId.equals(frame.path("client_message_id").asString())) {
					return frame;
				}
				record(frame);
			}
			throw new AssertionError(this.name + ": no ack for " + clientMessageId + " within 15 s");
		}

		void collect(Duration quiet) {
			this.socket.drain(quiet).forEach(this::record);
		}

		private void record(JsonNode frame) {
			String type = frame.path("type").asString();
			if (!"message".equals(type)) {
				throw new AssertionError(this.name + " got an unexpected frame: " + frame);
			}
			long id = frame.get("id").asLong();
			if (frame.get("sender_id").asLong() == this.self.id()) {
				this.ownReplayed.add(id);
			}
			else {
				this.fromOther.add(frame);
			}
			this.lastMessageId = Math.max(this.lastMessageId, id);
		}

		private JsonNode poll(Duration timeout) {
			try {
				return this.socket.next(timeout);
			}
			catch (AssertionError noFrameInTime) {
				return null;
			}
		}

		private void reconnect() {
			this.lostWith = this.socket.closeCode(Duration.ofSeconds(5));
			this.socket.close();
			this.reconnects.incrementAndGet();
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (true) {
				try {
					this.socket = WsClient.connect(url());
					this.resumedAt = System.nanoTime();
					return;
				}
				catch (WsClient.Refused | CompletionException ex) {
					if (System.nanoTime() > deadline) {
						throw new AssertionError(this.name + " could not reconnect within 20 s", ex);
					}
					sleep(200);
				}
			}
		}

		void close() {
			this.socket.close();
		}

	}

	/**
	 * Debian's nginx with {@code deploy/nginx.conf}, changed only where a test must: the
	 * upstream servers are the two replica ports, it listens on a free loopback port, and
	 * its temp files, pid file and prefix live in a temporary directory. Its stdout (the
	 * access log) and stderr go to {@code target/process-logs/nginx.log}.
	 */
	static final class Nginx implements AutoCloseable {

		private static final Pattern UPSTREAM = Pattern.compile("(upstream\\s+chat\\s*\\{)([^}]*)(})");

		private static final Pattern SERVER = Pattern.compile("(?m)^([ \\t]*)server\\s+[^\\s;]+([^;]*);[^\\n]*\\n?");

		private final Process process;

		private final int port;

		private final Path log;

		private final Path directory;

		private Nginx(Process process, int port, Path log, Path directory) {
			this.process = process;
			this.port = port;
			this.log = log;
			this.directory = directory;
		}

		static Nginx start(int... upstreamPorts) {
			assertThat(NGINX).as("Debian's nginx (apt-get install nginx-light)").isExecutable();
			try {
				String conf = Files.readString(DEPLOY_NGINX_CONF);
				int port = ProcessReplica.freePort();
				Path directory = Files.createTempDirectory("chat-nginx-");
				// Workers run as nobody when the master is root: let them into the
				// directory.
				Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));

				Matcher upstream = UPSTREAM.matcher(conf);
				assertThat(upstream.find()).as("an `upstream chat { }` block in %s", DEPLOY_NGINX_CONF).isTrue();
				Matcher server = SERVER.matcher(upstream.group(2));
				assertThat(server.find()).as("server lines in the upstream block").isTrue();
				// The replica ports in place of the compose services, with the same
				// parameters.
				StringBuilder servers = new StringBuilder();
				for (int upstreamPort : upstreamPorts) {
					servers.append(server.group(1))
						.append("server 127.0.0.1:")
						.append(upstreamPort)
						.append(server.group(2))
						.append(";\n");
				}
				String body = upstream.group(2).substring(0, server.start()) + servers
						+ SERVER.matcher(upstream.group(2).substring(server.start())).replaceAll("");
				if (!body.matches("(?s).*\\bzone\\s.*")) {
					// Without a shared-memory zone each nginx worker keeps its own
					// least_conn counts, so two connections taken by different workers
					// may land on the same replica (about 1 in 40 here).
					// deploy/nginx.conf should declare one.
					body = server.group(1) + "zone chat 64k;\n" + body;
					System.out.println("[nginx] deploy/nginx.conf's upstream has no `zone`: least_conn would count "
							+ "per worker; the test's copy adds `zone chat 64k;`");
				}
				String derived = conf.substring(0, upstream.start(2)) + body + conf.substring(upstream.end(2));

				String listen = derived.replaceFirst("(?m)^(\\s*)listen\\s+8000\\s*;",
						"$1listen 127.0.0.1:" + port + ";");
				assertThat(listen).as("`listen 8000;` in %s", DEPLOY_NGINX_CONF).isNotEqualTo(derived);
				derived = listen.replace("/tmp/nginx-", directory.toAbsolutePath() + "/nginx-");

				Path confFile = Files.writeString(directory.resolve("nginx.conf"), derived);
				Files.createDirectories(ProcessReplica.LOG_DIRECTORY);
				Path log = ProcessReplica.LOG_DIRECTORY.resolve("nginx.log");
				Files.writeString(log, "");
				Process process = new ProcessBuilder(NGINX.toString(), "-p", directory.toAbsolutePath() + "/", "-e",
						"stderr", "-c", confFile.toAbsolutePath().toString(), "-g",
						"pid " + directory.toAbsolutePath().resolve("nginx.pid") + "; daemon off;")
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
					.start();
				Nginx nginx = new Nginx(process, port, log, directory);
				Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
				nginx.awaitHealthy(derived);
				return nginx;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private void awaitHealthy(String conf) {
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
			long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
			while (System.nanoTime() < deadline) {
				if (!this.process.isAlive()) {
					throw new AssertionError("nginx exited with " + this.process.exitValue() + ": " + logText()
							+ "\nconfiguration:\n" + conf);
				}
				try {
					HttpResponse<String> response = http.send(
							HttpRequest.newBuilder(URI.create(httpUrl() + "/nginx-health")).build(),
							HttpResponse.BodyHandlers.ofString());
					if (response.statusCode() == 200) {
						System.out.printf("[nginx] listening on %d (pid %d)%n", this.port, this.process.pid());
						return;
					}
				}
				catch (IOException ex) {
					// not listening yet
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new AssertionError(ex);
				}
				sleep(100);
			}
			throw new AssertionError("nginx did not answer /nginx-health within 15 s: " + logText());
		}

		String httpUrl() {
			return "http://127.0.0.1:" + this.port;
		}

		String wsUrl() {
			return "ws://127.0.0.1:" + this.port;
		}

		String logText() {
			try {
				return Files.readString(this.log, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() {
			this.process.destroy();
			try {
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly();
					this.process.waitFor(5, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			try (Stream<Path> files = Files.walk(this.directory)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
			catch (IOException ex) {
				// a leftover temporary directory harms nothing
			}
		}

	}

}
