package com.marketplace.chat.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The bench's flags, parsed by picocli ({@code --name=value} or {@code --name value});
 * bench/README.md explains them and {@code --help} lists them with their defaults.
 * Durations take a unit: {@code 500ms}, {@code 25s}, {@code 2m} (plain numbers are
 * seconds).
 */
final class Options {

	static final List<String> ALL_WORKLOADS = List.of("chat-small", "chat-busy", "group", "ceiling", "idle", "history");

	/** The workloads whose latency suffers from replicas still being JIT-compiled. */
	static final List<String> CHAT_WORKLOADS = List.of("chat-small", "chat-busy", "group", "ceiling");

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "this list")
	boolean helpRequested;

	@Option(names = "--workloads", paramLabel = "LIST", split = ",", converter = Workload.class, defaultValue = "all",
			description = "comma-separated, run in this order: chat-small, chat-busy, group, ceiling, idle, history; all")
	private List<String> workloads;

	@Option(names = "--duration", paramLabel = "TIME", converter = Seconds.class, defaultValue = "25s",
			description = "measured time per workload, after the warm-up")
	double duration;

	@Option(names = "--warmup", paramLabel = "TIME", converter = Seconds.class, defaultValue = "15s",
			description = "warm-up per workload, sent and checked but not measured")
	double warmup;

	@Option(names = "--prewarm", paramLabel = "TIME", converter = Seconds.class, defaultValue = "30s",
			description = "chat-small load, not measured, once before the first chat workload; 0s: none")
	double prewarm;

	@Option(names = "--drain", paramLabel = "TIME", converter = Seconds.class, defaultValue = "15s",
			description = "longest wait for outstanding deliveries after the last send")
	double drain;

	@Option(names = "--scale", paramLabel = "FACTOR", defaultValue = "1",
			description = "multiplies chats, connections and rates of the chat workloads (0.1 for a quick check)")
	double scale;

	@Option(names = "--rate", paramLabel = "MSG/S", defaultValue = "-1",
			showDefaultValue = CommandLine.Help.Visibility.NEVER,
			description = "overrides the rate of chat-small, chat-busy and group")
	double rate;

	@Option(names = "--replicas", paramLabel = "N", defaultValue = "2", description = "replicas started")
	int replicas;

	@Option(names = "--replica-heap", paramLabel = "SIZE", defaultValue = "1g", description = "the replicas' -Xmx")
	String replicaHeap;

	@Option(names = "--tomcat-max-connections", paramLabel = "N", defaultValue = "20000",
			description = "server.tomcat.max-connections of the replicas; their chat.ws.max-connections is one less")
	int tomcatMaxConnections;

	@Option(names = "--replica-arg", paramLabel = "ARG", showDefaultValue = CommandLine.Help.Visibility.NEVER,
			description = "extra argument for every replica (repeatable), such as --replica-arg=--chat.fanout.gap-wait=100ms")
	List<String> replicaArgs = new ArrayList<>();

	@Option(names = "--replica-jvm-arg", paramLabel = "OPTION", showDefaultValue = CommandLine.Help.Visibility.NEVER,
			description = "extra JVM option for every replica, before -jar (repeatable), such as -XX:+UseZGC")
	List<String> replicaJvmArgs = new ArrayList<>();

	@Option(names = "--jar", paramLabel = "PATH", defaultValue = "chat-service/target/chat-service-0.1.0-SNAPSHOT.jar",
			description = "the service jar (a private copy of it runs)")
	Path jar;

	@Option(names = "--out", paramLabel = "DIR", defaultValue = "bench/target",
			description = "where results, logs and the jar's copy go")
	Path out;

	@Option(names = "--jdbc", paramLabel = "URL", converter = ServerUrl.class,
			defaultValue = "jdbc:mariadb://127.0.0.1:3306/",
			description = "the database server; the run creates its own database there")
	String jdbcBase;

	@Option(names = "--db-user", paramLabel = "USER", defaultValue = "root")
	String dbUser;

	@Option(names = "--db-password", paramLabel = "PASSWORD", defaultValue = "",
			showDefaultValue = CommandLine.Help.Visibility.NEVER)
	String dbPassword;

	@Option(names = "--redis-host", paramLabel = "HOST", defaultValue = "127.0.0.1")
	String redisHost;

	@Option(names = "--redis-port", paramLabel = "PORT", defaultValue = "6379")
	int redisPort;

	@Option(names = "--keep-database", description = "do not drop the run's database at the end")
	boolean keepDatabase;

	/**
	 * Only rewrite results.md and latency.svg from the files of an earlier run in --out.
	 */
	@Option(names = "--report-only",
			description = "rewrite results.md and latency.svg from --out's results.jsonl and run.json; no servers")
	boolean reportOnly;

	@Option(names = "--content-bytes", paramLabel = "N", defaultValue = "100",
			description = "size of each message's content")
	int contentBytes;

	@Option(names = "--client-message-ids", negatable = true, defaultValue = "true", fallbackValue = "true",
			description = "send a client_message_id with every message (the ledger needs them)")
	boolean clientMessageIds;

	@Option(names = "--connect-parallelism", paramLabel = "N", defaultValue = "16",
			description = "handshakes at a time")
	int connectParallelism;

	@Option(names = "--idle-connections", paramLabel = "N", defaultValue = "10000",
			description = "connections the idle workload opens on the first replica")
	int idleConnections;

	@Option(names = "--history-messages", paramLabel = "N", defaultValue = "100000",
			description = "messages in the history workload's chat")
	int historyMessages;

	@Option(names = "--history-readers", paramLabel = "N", defaultValue = "8",
			description = "closed-loop history readers")
	int historyReaders;

	@Option(names = "--history-page-size", paramLabel = "N", defaultValue = "50",
			description = "messages per history page")
	int historyPageSize;

	@Option(names = "--ceiling-start", paramLabel = "MSG/S", defaultValue = "200",
			description = "the ceiling's first rate")
	double ceilingStart;

	@Option(names = "--ceiling-factor", paramLabel = "FACTOR", defaultValue = "1.5",
			description = "how much each ceiling step raises the rate")
	double ceilingFactor;

	@Option(names = "--ceiling-max", paramLabel = "MSG/S", defaultValue = "20000",
			description = "the ceiling stops rising here")
	double ceilingMax;

	@Option(names = "--ceiling-step", paramLabel = "TIME", converter = Seconds.class, defaultValue = "10s",
			description = "measured time per ceiling step")
	double ceilingStepSeconds;

	@Option(names = "--ceiling-warmup", paramLabel = "TIME", converter = Seconds.class, defaultValue = "3s",
			description = "warm-up per ceiling step")
	double ceilingWarmup;

	@Option(names = "--p99-limit-ms", paramLabel = "MS", defaultValue = "100",
			description = "a ceiling step passes below this p99")
	double p99LimitMs;

	/**
	 * The flags as picocli reads them; a {@link CommandLine.ParameterException} for a bad
	 * one.
	 */
	static Options parse(String... args) {
		Options options = new Options();
		new CommandLine(options).parseArgs(args);
		return options;
	}

	/** The chosen workloads in order, {@code all} spelled out. */
	List<String> workloads() {
		List<String> chosen = new ArrayList<>();
		for (String workload : this.workloads) {
			if (workload.equals("all")) {
				chosen.addAll(ALL_WORKLOADS);
			}
			else if (!workload.isEmpty()) {
				chosen.add(workload);
			}
		}
		return chosen;
	}

	/**
	 * Whether the replicas get a pre-warm: it is not zero and a chat workload is chosen.
	 */
	boolean prewarms() {
		return this.prewarm > 0 && workloads().stream().anyMatch(CHAT_WORKLOADS::contains);
	}

	/** {@code 25}, {@code 25s}, {@code 500ms} or {@code 2m}, in seconds. */
	static double seconds(String value) {
		String v = value.trim().toLowerCase(Locale.ROOT);
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

	static final class Seconds implements ITypeConverter<Double> {

		@Override
		public Double convert(String value) {
			try {
				return seconds(value);
			}
			catch (NumberFormatException ex) {
				throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 25s or 2m");
			}
		}

	}

	/** One name of {@link #ALL_WORKLOADS}, or {@code all}. */
	static final class Workload implements ITypeConverter<String> {

		@Override
		public String convert(String value) {
			String name = value.trim();
			if (!name.isEmpty() && !name.equals("all") && !ALL_WORKLOADS.contains(name)) {
				throw new TypeConversionException(
						"unknown workload '" + name + "'; known: all, " + String.join(", ", ALL_WORKLOADS));
			}
			return name;
		}

	}

	/** A server URL the run appends its database name to, so it ends in a slash. */
	static final class ServerUrl implements ITypeConverter<String> {

		@Override
		public String convert(String value) {
			return value.endsWith("/") ? value : value + "/";
		}

	}

}
