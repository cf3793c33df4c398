package com.marketplace.chat.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.TestIssuer;

/**
 * Runs the chosen workloads against a fresh cluster and writes the results. See
 * bench/README.md for what each figure means.
 */
final class Bench {

	final Options options;

	TestIssuer issuer;

	Cluster cluster;

	Net net;

	String adminToken;

	private long userBase;

	Bench(Options options) {
		this.options = options;
	}

	/** A fresh block of user ids for one workload, so its chats are new pairs. */
	long nextUserBase() {
		this.userBase += 10_000_000L;
		return this.userBase;
	}

	List<Map<String, Object>> run() throws Exception {
		List<Map<String, Object>> results = new ArrayList<>();
		Report report = new Report(this.options.out);
		report.start(machine());
		this.issuer = TestIssuer.get();
		this.cluster = new Cluster(this.options);
		Thread cleanup = new Thread(this.cluster::close, "bench-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		try {
			System.out.printf("starting %d replicas (database %s)%n", this.options.replicas, this.cluster.jdbcUrl());
			this.cluster.start(this.issuer);
			this.net = new Net(this.options, this.cluster.replicas());
			this.adminToken = Net.token(this.issuer, 1, "admin");
			prewarm();
			for (String workload : this.options.workloads()) {
				System.out.printf("%n== %s (load average %s)%n", workload, Usage.loadAverage());
				Map<String, Object> result = new LinkedHashMap<>();
				result.put("workload", workload);
				result.put("started", Instant.now().toString());
				try {
					result.putAll(runOne(workload));
				}
				catch (Exception ex) {
					ex.printStackTrace();
					result.put("error", String.valueOf(ex));
				}
				result.put("replicas", this.options.replicas);
				results.add(result);
				report.line(result);
				System.out.println(Report.summaryLine(result));
				settle();
			}
		}
		finally {
			if (this.net != null) {
				this.net.close();
			}
			this.cluster.close();
			Runtime.getRuntime().removeShutdownHook(cleanup);
		}
		report.finish(results);
		return results;
	}

	private Map<String, Object> runOne(String workload) throws Exception {
		double scale = this.options.scale;
		return switch (workload) {
			case "chat-small" -> chat(chatSmallShape(), chatSmallRate(),
					"1000 service chats x 2 users, one device each; the two users on different replicas");
			case "chat-busy" -> chat(new ChatWorkload.Shape(scaled(1000), 1), rate(2000),
					"1000 service chats x 2 users at 10x the rate of chat-small");
			case "group" -> chat(new ChatWorkload.Shape(scaled(50), 10), rate(200),
					"50 chats x 20 connections: both participants with 10 devices each (chats have exactly 2 "
							+ "participants); each message reaches the 19 other connections");
			case "ceiling" -> ceiling();
			case "idle" -> new IdleWorkload(this).run();
			case "history" -> new HistoryWorkload(this).run();
			default -> throw new IllegalArgumentException(workload);
		};
	}

	/**
	 * Once, before the first workload: chat-small's shape for {@code --prewarm} seconds of
	 * warm-up and nothing measured, so the replicas' JIT compiler is done before the first
	 * measured workload. The figures are thrown away; its connections are closed and the
	 * replicas left to settle as between workloads.
	 */
	private void prewarm() throws Exception {
		if (!this.options.prewarms()) {
			return;
		}
		System.out.printf("%n== prewarm %s s (chat-small shape, not measured)%n", Report.seconds(this.options.prewarm));
		long started = System.nanoTime();
		ChatWorkload workload = new ChatWorkload(this, chatSmallShape());
		try {
			workload.setUp();
			Map<String, Object> ledger = Report.map(workload.run(chatSmallRate(), this.options.prewarm, 0), "ledger");
			System.out.printf("  prewarm done in %.1f s: %s messages sent, %s deliveries (not measured)%n",
					(System.nanoTime() - started) / 1e9, Report.get(ledger, "sent"), Report.get(ledger, "deliveries"));
		}
		catch (InterruptedException ex) {
			throw ex;
		}
		catch (Exception ex) {
			ex.printStackTrace();
			System.out.println("  prewarm failed (" + ex + "); going on with the workloads");
		}
		finally {
			workload.tearDown();
		}
		settle();
	}

	/**
	 * Waits (at most two minutes) until the replicas are quiet, so a backlog left by an
	 * overloaded workload does not run into the next one.
	 */
	void settle() throws InterruptedException {
		long deadline = System.nanoTime() + 120_000_000_000L;
		while (System.nanoTime() < deadline) {
			long[] before = replicaCpuNanos();
			Thread.sleep(1000);
			long[] after = replicaCpuNanos();
			double cores = 0;
			for (int i = 0; i < before.length; i++) {
				cores += (after[i] - before[i]) / 1e9;
			}
			if (cores < 0.15 * before.length) {
				return;
			}
		}
		System.out.println("  replicas still busy after 2 minutes; going on");
	}

	private long[] replicaCpuNanos() {
		return this.cluster.replicas()
			.stream()
			.mapToLong((replica) -> ProcessHandle.of(replica.pid())
				.flatMap((process) -> process.info().totalCpuDuration())
				.map(java.time.Duration::toNanos)
				.orElse(0L))
			.toArray();
	}

	private int scaled(int chats) {
		return Math.max(1, (int) Math.round(chats * this.options.scale));
	}

	/** chat-small: 1000 chats (times {@code --scale}) of two users, one device each. */
	private ChatWorkload.Shape chatSmallShape() {
		return new ChatWorkload.Shape(scaled(1000), 1);
	}

	/** chat-small's rate: 200 msg/s times {@code --scale}, or {@code --rate}. */
	private double chatSmallRate() {
		return rate(200);
	}

	private double rate(double nominal) {
		return (this.options.rate > 0) ? this.options.rate : nominal * this.options.scale;
	}

	private Map<String, Object> chat(ChatWorkload.Shape shape, double rate, String description) throws Exception {
		ChatWorkload workload = new ChatWorkload(this, shape);
		try {
			workload.setUp();
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("description", description);
			result.putAll(workload.run(rate, this.options.warmup, this.options.duration));
			return result;
		}
		finally {
			workload.tearDown();
		}
	}

	/**
	 * chat-small's shape at rising rates (times {@code ceilingFactor}) until p99 reaches the
	 * limit or anything is lost or left outstanding, then up to two bisections between the
	 * last pass and the failure (or halving, when the first rate already fails). The ceiling
	 * is the highest passing rate.
	 */
	private Map<String, Object> ceiling() throws Exception {
		ChatWorkload workload = new ChatWorkload(this, new ChatWorkload.Shape(scaled(1000), 1));
		List<Map<String, Object>> steps = new ArrayList<>();
		double best = 0;
		double failedAt = -1;
		Map<String, Object> bestStep = null;
		try {
			workload.setUp();
			double rate = this.options.ceilingStart;
			int bisections = 0;
			while (true) {
				Map<String, Object> step = step(workload, rate);
				steps.add(step);
				if (Boolean.TRUE.equals(step.get("pass"))) {
					best = rate;
					bestStep = step;
				}
				else {
					failedAt = rate;
				}
				if (failedAt < 0) {
					// still rising
					rate = Math.round(rate * this.options.ceilingFactor);
					if (rate > this.options.ceilingMax) {
						break;
					}
				}
				else if (best == 0) {
					// even the first rate failed: halve until one passes
					rate = Math.round(rate / 2);
					if (rate < 5) {
						break;
					}
				}
				else {
					// between a pass and a failure: at most two halvings of the interval
					if (bisections++ >= 2 || failedAt - best <= best * 0.1) {
						break;
					}
					rate = Math.round((best + failedAt) / 2);
				}
			}
		}
		finally {
			workload.tearDown();
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("description", "chat-small's shape at rising rates; the highest with p99 < "
				+ this.options.p99LimitMs + " ms and nothing lost");
		result.put("ceiling_rate", best);
		result.put("first_failing_rate", failedAt);
		if (bestStep != null) {
			result.put("latency_ms", bestStep.get("latency_ms"));
			result.put("cpu", bestStep.get("cpu"));
			result.putAll(Commits.of(bestStep));
			result.put("percentile_curve_ms", bestStep.get("percentile_curve_ms"));
		}
		List<Map<String, Object>> brief = new ArrayList<>();
		for (Map<String, Object> step : steps) {
			Map<String, Object> b = new LinkedHashMap<>(step);
			b.remove("percentile_curve_ms");
			brief.add(b);
		}
		result.put("steps", brief);
		return result;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> step(ChatWorkload workload, double rate) throws Exception {
		Map<String, Object> run = workload.run(rate, this.options.ceilingWarmup, this.options.ceilingStepSeconds);
		Map<String, Object> latency = (Map<String, Object>) run.get("latency_ms");
		Map<String, Object> ledger = (Map<String, Object>) run.get("ledger");
		double p99 = ((Number) latency.get("p99")).doubleValue();
		boolean clean = Boolean.TRUE.equals(ledger.get("clean"));
		boolean pass = clean && p99 < this.options.p99LimitMs;
		Map<String, Object> step = new LinkedHashMap<>();
		step.put("rate", rate);
		step.put("pass", pass);
		step.put("p99_ms", p99);
		step.put("latency_ms", latency);
		step.put("lost", ledger.get("lost"));
		step.put("outstanding", ledger.get("outstanding"));
		step.put("clean", clean);
		step.put("send_lag_ms", run.get("send_lag_ms"));
		step.put("cpu", run.get("cpu"));
		step.putAll(Commits.of(run));
		step.put("percentile_curve_ms", run.get("percentile_curve_ms"));
		System.out.printf("  ceiling step %.0f msg/s: p99 %.1f ms, lost %s, clean %s -> %s; %s; cpu %s%n", rate, p99,
				ledger.get("lost"), clean, pass ? "pass" : "FAIL", Report.commits(step), run.get("cpu"));
		settle();
		return step;
	}

	private Map<String, Object> machine() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cpus", Runtime.getRuntime().availableProcessors());
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					machine.put("cpu_model", line.substring(line.indexOf(':') + 1).trim());
					break;
				}
			}
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					machine.put("memory_gib",
							Usage.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576d));
				}
			}
			for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
				if (line.startsWith("Max open files")) {
					machine.put("open_files_limit", line.replaceAll("\\s+", " ").trim());
				}
			}
		}
		catch (Exception ex) {
			// best effort
		}
		machine.put("java", Runtime.version().toString());
		machine.put("load_average", Usage.loadAverage());
		try {
			machine.put("service_jar_built", Files.getLastModifiedTime(this.options.jar).toString());
		}
		catch (Exception ex) {
			// reported missing elsewhere
		}
		machine.put("replicas", this.options.replicas);
		machine.put("replica_heap", this.options.replicaHeap);
		machine.put("scale", this.options.scale);
		machine.put("duration_s", this.options.duration);
		machine.put("warmup_s", this.options.warmup);
		machine.put("prewarm_s", this.options.prewarms() ? this.options.prewarm : 0);
		return machine;
	}

}
