package com.marketplace.chat.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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

	List<Result> run() throws Exception {
		List<Result> results = new ArrayList<>();
		Report report = new Report(this.options.out);
		report.start(Machine.of(this.options));
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
				String started = Instant.now().toString();
				Result result;
				try {
					result = Result.measured(workload, started, runOne(workload), this.options.replicas);
				}
				catch (Exception ex) {
					ex.printStackTrace();
					result = Result.failed(workload, started, ex, this.options.replicas);
				}
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

	private Result.Figures runOne(String workload) throws Exception {
		return switch (workload) {
			case "chat-small" -> chat(chatSmallShape(), chatSmallRate(),
					"1000 service chats x 2 users, one device each; the two users on different replicas");
			case "chat-busy" -> chat(new ChatWorkload.Shape(scaled(1000), 1), rate(2000),
					"1000 service chats x 2 users at 10x the rate of chat-small");
			case "group" -> chat(new ChatWorkload.Shape(scaled(50), 10), rate(200),
					"50 chats x 20 connections: both participants with 10 devices each (chats have exactly 2 "
							+ "participants); each message reaches the 19 other connections");
			case "ceiling" -> new CeilingWorkload(this, chatSmallShape()).run();
			case "idle" -> new IdleWorkload(this).run();
			case "history" -> new HistoryWorkload(this).run();
			default -> throw new IllegalArgumentException(workload);
		};
	}

	/**
	 * Once, before the first workload: chat-small's shape for {@code --prewarm} seconds
	 * of warm-up and nothing measured, so the replicas' JIT compiler is done before the
	 * first measured workload. The figures are thrown away; its connections are closed
	 * and the replicas left to settle as between workloads.
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
			Ledger.Tally ledger = workload.run(chatSmallRate(), this.options.prewarm, 0).ledger();
			System.out.printf("  prewarm done in %.1f s: %d messages sent, %d deliveries (not measured)%n",
					(System.nanoTime() - started) / 1e9, ledger.sent(), ledger.deliveries());
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

	private ChatWorkload.Run chat(ChatWorkload.Shape shape, double rate, String description) throws Exception {
		ChatWorkload workload = new ChatWorkload(this, shape);
		try {
			workload.setUp();
			return workload.run(rate, this.options.warmup, this.options.duration).described(description);
		}
		finally {
			workload.tearDown();
		}
	}

}
