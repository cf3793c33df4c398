package com.marketplace.chat.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster this test starts itself: {@code primaries} shards on free ports, each
 * with {@code replicasEach} replicas, made with
 * {@code redis-server --cluster-enabled yes} and {@code redis-cli --cluster create}, as
 * an operator would. Needs Redis 7 ({@code redis-server} and {@code redis-cli} on PATH).
 */
public final class OwnRedisCluster implements AutoCloseable {

	/** A cluster node's failover timeout: a killed primary is replaced within seconds. */
	public static final Duration NODE_TIMEOUT = Duration.ofMillis(2000);

	private final Path directory;

	private final Map<Integer, Process> servers = new LinkedHashMap<>();

	public OwnRedisCluster(int primaries, int replicasEach) {
		try {
			this.directory = Files.createTempDirectory("redis-cluster");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		int count = primaries * (1 + replicasEach);
		for (int i = 0; i < count; i++) {
			int port = freePort();
			this.servers.put(port, start(port));
		}
		for (int port : this.servers.keySet()) {
			awaitListening(port);
		}
		List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		this.servers.keySet().forEach((port) -> create.add("127.0.0.1:" + port));
		create.addAll(List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
		String out = run(create);
		if (!out.contains("[OK] All 16384 slots covered")) {
			throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
		}
		awaitHealthy(Duration.ofSeconds(20));
	}

	/** The seed nodes, as {@code spring.data.redis.cluster.nodes} takes them. */
	public String nodes() {
		return this.servers.keySet().stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	/** The port of the primary that owns this slot now. */
	public int primaryOf(int slot) {
		for (String line : clusterNodes()) {
			String[] fields = line.split(" ");
			if (!fields[2].contains("master") || fields[2].contains("fail")) {
				continue;
			}
			for (int i = 8; i < fields.length; i++) {
				String[] range = fields[i].split("-");
				int from = Integer.parseInt(range[0]);
				int to = (range.length > 1) ? Integer.parseInt(range[1]) : from;
				if (slot >= from && slot <= to) {
					return port(fields[1]);
				}
			}
		}
		throw new IllegalStateException("no primary owns slot " + slot);
	}

	/** The port of a live replica of the primary on {@code primaryPort}. */
	public int replicaOf(int primaryPort) {
		String primaryId = null;
		List<String> lines = clusterNodes();
		for (String line : lines) {
			String[] fields = line.split(" ");
			if (port(fields[1]) == primaryPort) {
				primaryId = fields[0];
			}
		}
		for (String line : lines) {
			String[] fields = line.split(" ");
			if (fields[3].equals(primaryId) && !fields[2].contains("fail")) {
				return port(fields[1]);
			}
		}
		throw new IllegalStateException("the primary on " + primaryPort + " has no live replica");
	}

	/** The primaries' ports now. */
	public List<Integer> primaries() {
		List<Integer> ports = new ArrayList<>();
		for (String line : clusterNodes()) {
			String[] fields = line.split(" ");
			if (fields[2].contains("master") && !fields[2].contains("fail") && fields.length > 8) {
				ports.add(port(fields[1]));
			}
		}
		return ports;
	}

	/** A planned failover: the replica on {@code replicaPort} takes over its shard. */
	public void failover(int replicaPort) {
		String out = run(List.of("redis-cli", "-p", Integer.toString(replicaPort), "cluster", "failover"));
		if (!out.trim().equals("OK")) {
			throw new IllegalStateException("CLUSTER FAILOVER answered " + out);
		}
	}

	/**
	 * Waits until the replica on {@code port} has its link to its primary up: only then
	 * can it take over should the primary crash.
	 */
	public void awaitInSync(int port, Duration within) {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() < deadline) {
			String replication = command(port, "info", "replication");
			if (replication.contains("role:slave") && replication.contains("master_link_status:up")
					&& !replication.contains("master_sync_in_progress:1")) {
				return;
			}
			sleep(100);
		}
		throw new IllegalStateException("the replica on " + port + " did not sync within " + within);
	}

	/**
	 * Moves one slot, with its keys, to the primary on {@code toPort}, as
	 * {@code redis-cli --cluster reshard} does: importing, migrating, each key, then the
	 * new owner announced to every primary.
	 */
	public void moveSlot(int slot, int toPort) {
		int fromPort = primaryOf(slot);
		String from = nodeId(fromPort);
		String to = nodeId(toPort);
		expectOk(command(toPort, "cluster", "setslot", Integer.toString(slot), "importing", from));
		expectOk(command(fromPort, "cluster", "setslot", Integer.toString(slot), "migrating", to));
		for (String key : command(fromPort, "cluster", "getkeysinslot", Integer.toString(slot), "1000").lines()
			.filter((line) -> !line.isBlank())
			.toList()) {
			expectOk(command(fromPort, "migrate", "127.0.0.1", Integer.toString(toPort), key, "0", "5000"));
		}
		for (int primary : primaries()) {
			expectOk(command(primary, "cluster", "setslot", Integer.toString(slot), "node", to));
		}
	}

	private String nodeId(int port) {
		return command(port, "cluster", "myid");
	}

	private static void expectOk(String answer) {
		if (!answer.equals("OK")) {
			throw new IllegalStateException("Redis answered " + answer);
		}
	}

	/** Kills one node abruptly, as a crash would. */
	public void kill(int port) {
		Process server = this.servers.get(port);
		server.destroyForcibly();
		try {
			server.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Runs a command on one node and answers what redis-cli printed. */
	public String command(int port, String... command) {
		List<String> line = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
		line.addAll(List.of(command));
		return run(line).trim();
	}

	/**
	 * Waits until every live node says the cluster is ok: every slot has a live primary.
	 */
	public void awaitHealthy(Duration within) {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() < deadline) {
			boolean ok = true;
			for (Map.Entry<Integer, Process> server : this.servers.entrySet()) {
				if (server.getValue().isAlive()
						&& !command(server.getKey(), "cluster", "info").contains("cluster_state:ok")) {
					ok = false;
				}
			}
			if (ok) {
				return;
			}
			sleep(100);
		}
		throw new IllegalStateException("the Redis Cluster did not become healthy within " + within);
	}

	/** {@code CLUSTER NODES} as a live node sees it. */
	private List<String> clusterNodes() {
		for (Map.Entry<Integer, Process> server : this.servers.entrySet()) {
			if (server.getValue().isAlive()) {
				return command(server.getKey(), "cluster", "nodes").lines().filter((line) -> !line.isBlank()).toList();
			}
		}
		throw new IllegalStateException("no Redis Cluster node is alive");
	}

	private static int port(String address) {
		// 127.0.0.1:7000@17000
		String hostPort = address.split("@")[0];
		return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
	}

	private Process start(int port) {
		try {
			return new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
					"--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()), "--save", "", "--appendonly",
					"no", "--dir", this.directory.toString()))
				.redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("redis-" + port + ".log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(
					"These tests start their own Redis Cluster; install Redis 7 (apt-get install redis-server)", ex);
		}
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			byte[] out = process.getInputStream().readAllBytes();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " did not finish");
			}
			return new String(out, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitListening(int port) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			try (Socket ignored = new Socket("127.0.0.1", port)) {
				return;
			}
			catch (IOException notYet) {
				sleep(50);
			}
		}
		throw new IllegalStateException("redis-server did not start on port " + port);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
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

	@Override
	public void close() {
		this.servers.values().forEach(Process::destroyForcibly);
		for (Process server : this.servers.values()) {
			try {
				server.waitFor(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		try (var files = Files.list(this.directory)) {
			files.forEach((file) -> file.toFile().delete());
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ex) {
			// a temporary directory left behind
		}
	}

}
