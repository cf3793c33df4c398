package com.marketplace.chat.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.marketplace.chat.testing.BrowserLikeSocket;
import com.marketplace.chat.testing.ProcessReplica;

/**
 * Memory per idle connection on one replica: heap (after a full GC, from
 * {@code /actuator/prometheus}) and resident set size (from {@code /proc/<pid>/status})
 * before and after opening {@code idleConnections} sockets, two per chat (client and
 * master), all on the first replica. The sockets open as browsers' do, offering
 * {@code permessage-deflate}, so whatever that costs where it is agreed is counted.
 */
final class IdleWorkload {

	/** All connections go to the first replica. */
	private static final int REPLICA = 0;

	/**
	 * results.jsonl's line of the idle workload: the connection gauge, heap and RSS
	 * before and after opening the connections, and the difference per connection added.
	 */
	record Memory(Integer connections, Integer chats, Integer replica, Long openAtEnd, String clientOffers,
			Long compressionAgreed, Long gaugeBefore, Long gaugeAfter, Double openS, Double heapBeforeMib,
			Double heapAfterMib, Double rssBeforeMib, Double rssAfterMib, Double heapPerConnectionKib,
			Double rssPerConnectionKib, String gcSettle, Usage.Cpu cpu) implements Result.Figures {
	}

	private final Bench bench;

	IdleWorkload(Bench bench) {
		this.bench = bench;
	}

	Memory run() throws Exception {
		ProcessReplica replica = this.bench.cluster.replicas().get(REPLICA);
		int total = this.bench.options.idleConnections;
		int chats = (total + 1) / 2;
		long base = this.bench.nextUserBase();
		ChatParties parties = ChatParties.of(base, chats);
		long started = System.nanoTime();
		String[] tokens = Net.tokens(this.bench.issuer, parties.userIds(), parties.roles());
		long[] chatIds = this.bench.net.createServiceChats(this.bench.adminToken, parties.clients(), parties.masters());
		System.out.printf("  %d tokens and %d chats in %.1f s%n", tokens.length, chats,
				(System.nanoTime() - started) / 1e9);

		Sample before = settle(replica);
		System.out.printf("  before: heap %.1f MiB, RSS %.1f MiB, %d connections%n", before.heap / 1048576d,
				before.rss / 1048576d, before.connections);
		List<BrowserLikeSocket> connections = openBrowserLike(replica, total, tokens, chatIds);
		long compressed = connections.stream().filter((connection) -> connection.compressed()).count();
		System.out.printf("  opened %d connections offering %s (%d agreed to compression)%n", total,
				BrowserLikeSocket.OFFER, compressed);
		double openSeconds = this.openSeconds;
		Usage usage = Usage.start(this.bench.cluster.replicas());
		Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(5, (long) Math.min(this.bench.options.duration, 15))));
		Usage.Cpu idleCpu = usage.stop();
		Sample after = settle(replica);
		System.out.printf("  after: heap %.1f MiB, RSS %.1f MiB, %d connections%n", after.heap / 1048576d,
				after.rss / 1048576d, after.connections);
		classHistogram(replica);
		long open = after.connections - before.connections;
		connections.forEach(BrowserLikeSocket::close);
		Thread.sleep(2000);

		long added = after.connections - before.connections;
		long denominator = (added > 0) ? added : total;
		return new Memory(total, chats, REPLICA + 1, open, BrowserLikeSocket.OFFER, compressed, before.connections,
				after.connections, Usage.round(openSeconds), mib(before.heap), mib(after.heap), mib(before.rss),
				mib(after.rss), Usage.round((after.heap - before.heap) / 1024d / denominator),
				Usage.round((after.rss - before.rss) / 1024d / denominator), after.gcNote, idleCpu);
	}

	private double openSeconds;

	/**
	 * Opens the sockets as browsers do, offering compression: {@code connectParallelism}
	 * handshakes at a time, each retried twice. Fails if any cannot be opened.
	 */
	private List<BrowserLikeSocket> openBrowserLike(ProcessReplica replica, int total, String[] tokens, long[] chatIds)
			throws Exception {
		long opening = System.nanoTime();
		java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(
				this.bench.options.connectParallelism);
		BrowserLikeSocket[] opened = new BrowserLikeSocket[total];
		List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
		try (java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors
			.newVirtualThreadPerTaskExecutor()) {
			for (int g = 0; g < total; g++) {
				int i = g;
				permits.acquire();
				threads.submit(() -> {
					try {
						for (int attempt = 1;; attempt++) {
							try {
								opened[i] = BrowserLikeSocket.open(replica, "/ws/service-chats/" + chatIds[i / 2],
										tokens[2 * (i / 2) + i % 2]);
								return;
							}
							catch (java.io.IOException ex) {
								if (attempt == 3) {
									failures.add(ex.toString());
									return;
								}
								Thread.sleep(500);
							}
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					finally {
						permits.release();
					}
				});
			}
		}
		this.openSeconds = (System.nanoTime() - opening) / 1e9;
		if (!failures.isEmpty()) {
			throw new IllegalStateException(failures.size() + " of " + total + " handshakes failed, e.g. "
					+ failures.subList(0, Math.min(3, failures.size())));
		}
		return List.of(opened);
	}

	/**
	 * The replica's biggest heap classes with the connections open:
	 * idle-class-histogram.txt.
	 */
	private void classHistogram(ProcessReplica replica) {
		Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
		Path file = this.bench.options.out.resolve("idle-class-histogram.txt");
		try {
			Process process = new ProcessBuilder(jcmd.toString(), Long.toString(replica.pid()), "GC.class_histogram")
				.redirectErrorStream(true)
				.start();
			List<String> lines = new String(process.getInputStream().readAllBytes()).lines().limit(40).toList();
			process.waitFor(60, TimeUnit.SECONDS);
			Files.write(file, lines);
			System.out.println("  wrote " + file);
		}
		catch (Exception ex) {
			System.out.println("  no class histogram: " + ex.getMessage());
		}
	}

	static double mib(long bytes) {
		return Usage.round(bytes / 1048576d);
	}

	record Sample(long heap, long rss, long connections, String gcNote) {
	}

	/** Full GC twice through jcmd, a pause, then heap, RSS and the connection gauge. */
	private Sample settle(ProcessReplica replica) throws Exception {
		String note = "jcmd GC.run";
		Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
		for (int i = 0; i < 2; i++) {
			try {
				Process process = new ProcessBuilder(jcmd.toString(), Long.toString(replica.pid()), "GC.run")
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
				if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
					note = "jcmd GC.run failed; heap after a 3 s pause";
				}
			}
			catch (Exception ex) {
				note = "no jcmd (" + ex.getMessage() + "); heap after a 3 s pause";
			}
			Thread.sleep(1500);
		}
		String metrics = replica.prometheus();
		return new Sample((long) Prometheus.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""), rss(replica.pid()),
				(long) Prometheus.sum(metrics, "chat_ws_connections", null), note);
	}

	static long rss(long pid) throws Exception {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		return -1;
	}

}
