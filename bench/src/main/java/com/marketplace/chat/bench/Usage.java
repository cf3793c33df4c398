package com.marketplace.chat.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.marketplace.chat.testing.ProcessReplica;

/**
 * CPU used over a measured window, in cores (1.0 = one core busy the whole window): the
 * load generator (this JVM), each replica, MariaDB and Redis, and the whole machine
 * (which includes whatever else runs on it), plus the load average at both ends.
 */
final class Usage {

	private final Map<String, Long> pids = new LinkedHashMap<>();

	private final long startWall;

	private final Map<String, Long> startCpu;

	private final long[] startStat;

	private final String startLoad;

	private final Map<String, Map<String, Long>> startThreads = new LinkedHashMap<>();

	private Usage(Map<String, Long> pids) {
		this.pids.putAll(pids);
		this.startWall = System.nanoTime();
		this.startCpu = cpu();
		this.startStat = procStat();
		this.startLoad = loadAverage();
		this.pids.forEach((name, pid) -> {
			if (name.startsWith("replica-")) {
				this.startThreads.put(name, threadTicks(pid));
			}
		});
	}

	/**
	 * CPU ticks per thread group of a process, from /proc/<pid>/task/<tid>/stat, grouped
	 * by thread name (as the kernel keeps it: 15 characters) without trailing digits.
	 */
	static Map<String, Long> threadTicks(long pid) {
		Map<String, Long> ticks = new LinkedHashMap<>();
		try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
			for (Path task : (Iterable<Path>) tasks::iterator) {
				try {
					String stat = Files.readString(task.resolve("stat"));
					int open = stat.indexOf('(');
					int close = stat.lastIndexOf(')');
					String name = stat.substring(open + 1, close).replaceAll("[0-9]+$", "").replaceAll("[-_ ]+$", "");
					String[] fields = stat.substring(close + 2).split(" ");
					long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
					ticks.merge(name, used, Long::sum);
				}
				catch (IOException | RuntimeException ex) {
					// the thread ended meanwhile
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
		return ticks;
	}

	static Usage start(List<ProcessReplica> replicas) {
		Map<String, Long> pids = new LinkedHashMap<>();
		for (ProcessReplica replica : replicas) {
			// The replicas are named replica-1, replica-2, ...
			pids.put(replica.name(), replica.pid());
		}
		findProcess("mariadbd", "mysqld").ifPresent((pid) -> pids.put("mariadb", pid));
		findProcess("redis-server").ifPresent((pid) -> pids.put("redis", pid));
		return new Usage(pids);
	}

	private static Optional<Long> findProcess(String... names) {
		// By /proc/<pid>/comm: redis-server's executable may be a link to another binary.
		return ProcessHandle.allProcesses().filter((process) -> {
			String comm;
			try {
				comm = Files.readString(Path.of("/proc/" + process.pid() + "/comm")).trim();
			}
			catch (IOException | RuntimeException ex) {
				return false;
			}
			for (String name : names) {
				if (comm.equals(name)) {
					return true;
				}
			}
			return false;
		}).map(ProcessHandle::pid).findFirst();
	}

	private Map<String, Long> cpu() {
		Map<String, Long> cpu = new LinkedHashMap<>();
		cpu.put("generator", generatorCpuNanos());
		this.pids.forEach((name, pid) -> cpu.put(name,
				ProcessHandle.of(pid)
					.flatMap((process) -> process.info().totalCpuDuration())
					.map(Duration::toNanos)
					.orElse(-1L)));
		return cpu;
	}

	private static long generatorCpuNanos() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
	}

	/** busy and total jiffies of all CPUs from /proc/stat. */
	private static long[] procStat() {
		try {
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long total = 0;
			for (int i = 1; i < fields.length && i <= 8; i++) {
				total += Long.parseLong(fields[i]);
			}
			long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
			return new long[] { total - idle, total };
		}
		catch (IOException | RuntimeException ex) {
			return new long[] { 0, 0 };
		}
	}

	static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException ex) {
			return "?";
		}
	}

	/**
	 * Cores used over a window (1.0 = one core busy all of it; -1 where a process could
	 * not be read): this JVM, MariaDB and Redis (absent when not found), each replica,
	 * and the whole machine, with each replica's busiest thread groups and the load
	 * average at both ends. results.jsonl's {@code cpu}.
	 */
	record Cpu(Double generatorCpu, Double mariadbCpu, Double redisCpu, List<Double> replicasCpu,
			Map<String, String> replicaThreads, Double machineCpu, Integer cpus, String loadStart, String loadEnd) {
	}

	/** What was used since {@link #start}. */
	Cpu stop() {
		double wall = System.nanoTime() - this.startWall;
		Map<String, Long> endCpu = cpu();
		long[] endStat = procStat();
		Map<String, Double> cores = new LinkedHashMap<>();
		List<Double> replicas = new ArrayList<>();
		endCpu.forEach((name, end) -> {
			long start = this.startCpu.getOrDefault(name, -1L);
			double used = (start < 0 || end < 0) ? -1 : round((end - start) / wall);
			if (name.startsWith("replica-")) {
				replicas.add(used);
			}
			else {
				cores.put(name, used);
			}
		});
		// The busiest thread groups of each replica (cores), to tell one saturated thread
		// from a starved process.
		Map<String, String> threads = new LinkedHashMap<>();
		this.startThreads.forEach((name, before) -> {
			Map<String, Long> after = threadTicks(this.pids.get(name));
			List<Map.Entry<String, Long>> deltas = new ArrayList<>();
			after.forEach((thread, ticks) -> deltas.add(Map.entry(thread, ticks - before.getOrDefault(thread, 0L))));
			deltas.sort(Map.Entry.<String, Long>comparingByValue().reversed());
			List<String> top = new ArrayList<>();
			for (Map.Entry<String, Long> delta : deltas.subList(0, Math.min(4, deltas.size()))) {
				top.add(delta.getKey() + " " + round(delta.getValue() / 100d / (wall / 1e9)));
			}
			threads.put(name, String.join(", ", top));
		});
		long busy = endStat[0] - this.startStat[0];
		long total = endStat[1] - this.startStat[1];
		int cpus = Runtime.getRuntime().availableProcessors();
		return new Cpu(cores.get("generator"), cores.get("mariadb"), cores.get("redis"), replicas, threads,
				(total > 0) ? round((double) busy / total * cpus) : -1, cpus, this.startLoad, loadAverage());
	}

	static double round(double value) {
		return Math.round(value * 100) / 100d;
	}

}
