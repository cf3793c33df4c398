package com.marketplace.chat.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command-line flags ({@code --name=value} or {@code --name value}); see bench/README.md. */
final class Options {

	static final List<String> ALL_WORKLOADS = List.of("chat-small", "chat-busy", "group", "ceiling", "idle", "history");

	/** The workloads whose latency suffers from replicas still being JIT-compiled. */
	static final List<String> CHAT_WORKLOADS = List.of("chat-small", "chat-busy", "group", "ceiling");

	List<String> workloads = ALL_WORKLOADS;

	/** Measured seconds per workload (after the warm-up). */
	double duration = 25;

	double warmup = 15;

	/** Seconds of chat-small load, not measured, once before the first workload (0: none). */
	double prewarm = 30;

	/** Longest wait after the last send for the remaining deliveries. */
	double drain = 15;

	/** Multiplies chats, connections and rates of the chat workloads (0.1 for a quick check). */
	double scale = 1;

	/** Overrides the rate of chat-small, chat-busy and group when set. */
	double rate = -1;

	int replicas = 2;

	String replicaHeap = "1g";

	int tomcatMaxConnections = 20000;

	List<String> replicaArgs = new ArrayList<>();

	/** Extra JVM options for every replica, before {@code -jar} (e.g. {@code -XX:+UseZGC}). */
	List<String> replicaJvmArgs = new ArrayList<>();

	Path jar = Path.of("chat-service/target/chat-service-0.1.0-SNAPSHOT.jar");

	Path out = Path.of("bench/target");

	String jdbcBase = "jdbc:mariadb://127.0.0.1:3306/";

	String dbUser = "root";

	String dbPassword = "";

	String redisHost = "127.0.0.1";

	int redisPort = 6379;

	boolean keepDatabase;

	/** Only rewrite results.md and latency.svg from the files of an earlier run in --out. */
	boolean reportOnly;

	int contentBytes = 100;

	boolean clientMessageIds = true;

	int connectParallelism = 16;

	int idleConnections = 10000;

	int historyMessages = 100_000;

	int historyReaders = 8;

	int historyPageSize = 50;

	double ceilingStart = 200;

	double ceilingFactor = 1.5;

	double ceilingMax = 20000;

	double ceilingStepSeconds = 10;

	double ceilingWarmup = 3;

	double p99LimitMs = 100;

	static Options parse(String[] args) {
		Options options = new Options();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("-h") || arg.equals("--help")) {
				System.out.println(usage());
				System.exit(0);
			}
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("unexpected argument " + arg + "\n" + usage());
			}
			String name;
			String value;
			int eq = arg.indexOf('=');
			if (eq > 0) {
				name = arg.substring(2, eq);
				value = arg.substring(eq + 1);
			}
			else if (arg.equals("--keep-database") || arg.equals("--no-client-message-ids")
					|| arg.equals("--report-only")) {
				name = arg.substring(2);
				value = "true";
			}
			else {
				name = arg.substring(2);
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException("missing value for " + arg);
				}
				value = args[++i];
			}
			options.set(name, value);
		}
		return options;
	}

	private void set(String name, String value) {
		switch (name) {
			case "workloads" -> {
				List<String> chosen = new ArrayList<>();
				for (String workload : value.split(",")) {
					String trimmed = workload.trim();
					if (trimmed.equals("all")) {
						chosen.addAll(ALL_WORKLOADS);
					}
					else if (ALL_WORKLOADS.contains(trimmed)) {
						chosen.add(trimmed);
					}
					else if (!trimmed.isEmpty()) {
						throw new IllegalArgumentException("unknown workload " + trimmed + "; known: " + ALL_WORKLOADS);
					}
				}
				this.workloads = chosen;
			}
			case "duration" -> this.duration = seconds(value);
			case "warmup" -> this.warmup = seconds(value);
			case "prewarm" -> this.prewarm = seconds(value);
			case "drain" -> this.drain = seconds(value);
			case "scale" -> this.scale = Double.parseDouble(value);
			case "rate" -> this.rate = Double.parseDouble(value);
			case "replicas" -> this.replicas = Integer.parseInt(value);
			case "replica-heap" -> this.replicaHeap = value;
			case "tomcat-max-connections" -> this.tomcatMaxConnections = Integer.parseInt(value);
			case "replica-arg" -> this.replicaArgs.add(value);
			case "replica-jvm-arg" -> this.replicaJvmArgs.add(value);
			case "jar" -> this.jar = Path.of(value);
			case "out" -> this.out = Path.of(value);
			case "jdbc" -> this.jdbcBase = value.endsWith("/") ? value : value + "/";
			case "db-user" -> this.dbUser = value;
			case "db-password" -> this.dbPassword = value;
			case "redis-host" -> this.redisHost = value;
			case "redis-port" -> this.redisPort = Integer.parseInt(value);
			case "keep-database" -> this.keepDatabase = Boolean.parseBoolean(value);
			case "report-only" -> this.reportOnly = Boolean.parseBoolean(value);
			case "content-bytes" -> this.contentBytes = Integer.parseInt(value);
			case "no-client-message-ids" -> this.clientMessageIds = !Boolean.parseBoolean(value);
			case "connect-parallelism" -> this.connectParallelism = Integer.parseInt(value);
			case "idle-connections" -> this.idleConnections = Integer.parseInt(value);
			case "history-messages" -> this.historyMessages = Integer.parseInt(value);
			case "history-readers" -> this.historyReaders = Integer.parseInt(value);
			case "history-page-size" -> this.historyPageSize = Integer.parseInt(value);
			case "ceiling-start" -> this.ceilingStart = Double.parseDouble(value);
			case "ceiling-factor" -> this.ceilingFactor = Double.parseDouble(value);
			case "ceiling-max" -> this.ceilingMax = Double.parseDouble(value);
			case "ceiling-step" -> this.ceilingStepSeconds = seconds(value);
			case "ceiling-warmup" -> this.ceilingWarmup = seconds(value);
			case "p99-limit-ms" -> this.p99LimitMs = Double.parseDouble(value);
			default -> throw new IllegalArgumentException("unknown flag --" + name + "\n" + usage());
		}
	}

	/** Whether the replicas get a pre-warm: it is not zero and a chat workload is chosen. */
	boolean prewarms() {
		return this.prewarm > 0 && this.workloads.stream().anyMatch(CHAT_WORKLOADS::contains);
	}

	/** {@code 25}, {@code 25s}, {@code 500ms} or {@code 2m}, in seconds. */
	static double seconds(String value) {
		String v = value.trim().toLowerCase();
		if (v.endsWith("ms")) {
			return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
		}
		if (v.endsWith("s")) {
			return Double.parseDouble(v.substring(0, v.length() - 1));
		}
		if (v.endsWith("m")) {
			return Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
		}
		return Double.parseDouble(v);
	}

	static String usage() {
		return """
				usage: java -jar bench/target/chat-bench.jar [flags]   (run from the repository root)
				  --workloads=LIST        comma-separated: chat-small,chat-busy,group,ceiling,idle,history (default all)
				  --duration=25s          measured time per workload, after --warmup=15s
				  --prewarm=30s           chat-small load, not measured, once before the first chat workload (0s: none)
				  --drain=15s             longest wait for outstanding deliveries after the last send
				  --scale=1               multiply chats, connections and rates (0.1 for a quick check)
				  --rate=N                override the rate (msg/s) of chat-small, chat-busy and group
				  --replicas=2 --replica-heap=1g --replica-arg=--some.property=value (repeatable)
				  --replica-jvm-arg=-XX:+UseZGC  JVM option for every replica (repeatable)
				  --jar=chat-service/target/chat-service-0.1.0-SNAPSHOT.jar --out=bench/target
				  --jdbc=jdbc:mariadb://127.0.0.1:3306/ --db-user=root --db-password= --keep-database
				  --report-only           rewrite results.md and latency.svg from --out's results.jsonl, no servers
				  --redis-host=127.0.0.1 --redis-port=6379
				  --content-bytes=100 --no-client-message-ids --connect-parallelism=16
				  --idle-connections=10000 --history-messages=100000 --history-readers=8 --history-page-size=50
				  --ceiling-start=200 --ceiling-factor=1.5 --ceiling-max=20000 --ceiling-step=10s
				  --ceiling-warmup=3s --p99-limit-ms=100""";
	}

}
