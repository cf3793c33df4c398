package com.marketplace.chat.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code results.jsonl} (one JSON line per workload, appended as each finishes),
 * {@code results.md} (the tables) and {@code latency.svg} (latency by percentile).
 */
final class Report {

	private final Path out;

	private final Path jsonl;

	private Map<String, Object> machine;

	Report(Path out) {
		this.out = out;
		this.jsonl = out.resolve("results.jsonl");
	}

	void start(Map<String, Object> machine) throws IOException {
		this.machine = machine;
		Files.createDirectories(this.out);
		Files.writeString(this.jsonl, "");
		Files.writeString(this.out.resolve("run.json"), Net.JSON.writeValueAsString(machine) + "\n");
	}

	void line(Map<String, Object> result) throws IOException {
		Files.writeString(this.jsonl, Net.JSON.writeValueAsString(result) + "\n", StandardOpenOption.APPEND);
	}

	void finish(List<Map<String, Object>> results) throws IOException {
		Files.writeString(this.out.resolve("results.md"), markdown(this.machine, results));
		Files.writeString(this.out.resolve("latency.svg"), svg(results));
		System.out.println();
		System.out.println(markdown(this.machine, results));
		System.out.println("wrote " + this.jsonl + ", " + this.out.resolve("results.md") + ", "
				+ this.out.resolve("latency.svg"));
	}

	/** Writes results.md and latency.svg again from an earlier run's files, without servers. */
	@SuppressWarnings("unchecked")
	static void rerender(Path out) throws IOException {
		Report report = new Report(out);
		Path run = out.resolve("run.json");
		report.machine = Files.exists(run) ? Net.JSON.readValue(Files.readString(run), Map.class) : Map.of();
		List<Map<String, Object>> results = new ArrayList<>();
		for (String line : Files.readAllLines(report.jsonl)) {
			if (!line.isBlank()) {
				results.add(Net.JSON.readValue(line, Map.class));
			}
		}
		report.finish(results);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Map<String, Object> m, String key) {
		Object value = m.get(key);
		return (value instanceof Map) ? (Map<String, Object>) value : Map.of();
	}

	static String get(Map<String, Object> m, String key) {
		Object value = m.get(key);
		return (value == null) ? "-" : String.valueOf(value);
	}

	static String cores(Map<String, Object> cpu) {
		if (cpu.isEmpty()) {
			return "-";
		}
		return "replicas " + get(cpu, "replicas_cpu") + ", generator " + get(cpu, "generator_cpu") + ", MariaDB "
				+ get(cpu, "mariadb_cpu") + ", Redis " + get(cpu, "redis_cpu") + ", machine " + get(cpu, "machine_cpu")
				+ "/" + get(cpu, "cpus");
	}

	/** {@code commits 412/s (4.9 msgs each)}: the message store's database commits in the measured window. */
	static String commits(Map<String, Object> r) {
		return "commits " + get(r, "commits_per_s") + "/s (" + get(r, "messages_per_commit") + " msgs each)";
	}

	static String summaryLine(Map<String, Object> r) {
		if (r.containsKey("error")) {
			return r.get("workload") + ": ERROR " + r.get("error");
		}
		Map<String, Object> latency = map(r, "latency_ms");
		Map<String, Object> ledger = map(r, "ledger");
		StringBuilder line = new StringBuilder(String.valueOf(r.get("workload"))).append(":");
		if (r.containsKey("ceiling_rate")) {
			line.append(" ceiling ").append(r.get("ceiling_rate")).append(" msg/s");
		}
		if (r.containsKey("deliveries_per_s")) {
			line.append(" ").append(r.get("deliveries_per_s")).append(" deliveries/s");
		}
		if (r.containsKey("reads_per_s")) {
			line.append(" ").append(r.get("reads_per_s")).append(" reads/s");
		}
		if (!latency.isEmpty()) {
			line.append(" p50 ").append(latency.get("p50")).append(" ms p99 ").append(latency.get("p99"))
				.append(" ms max ").append(latency.get("max")).append(" ms");
		}
		if (!ledger.isEmpty()) {
			line.append(" lost ").append(ledger.get("lost")).append(" outstanding ").append(ledger.get("outstanding")).append(" dup ").append(ledger.get("duplicates"))
				.append(" ooo ").append(ledger.get("out_of_order")).append(" clean ").append(ledger.get("clean"));
		}
		if (r.containsKey("heap_per_connection_kib")) {
			line.append(" heap/conn ").append(r.get("heap_per_connection_kib")).append(" KiB rss/conn ")
				.append(r.get("rss_per_connection_kib")).append(" KiB");
		}
		line.append(" | cpu ").append(cores(map(r, "cpu")));
		if (r.containsKey("commits_per_s")) {
			line.append(" | ").append(commits(r));
		}
		return line.toString();
	}

	/**
	 * {@code ; replicas pre-warmed 30 s before the first workload} from run.json's
	 * {@code prewarm_s}; empty for a run.json written before the pre-warm existed.
	 */
	static String prewarmed(Map<String, Object> machine) {
		if (!(machine.get("prewarm_s") instanceof Number prewarm)) {
			return "";
		}
		if (prewarm.doubleValue() <= 0) {
			return "; replicas not pre-warmed";
		}
		return "; replicas pre-warmed " + seconds(prewarm.doubleValue()) + " s before the first workload";
	}

	/** Seconds without a needless fraction: {@code 30}, {@code 0.5}. */
	static String seconds(double seconds) {
		return BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString();
	}

	static String markdown(Map<String, Object> machine, List<Map<String, Object>> results) {
		StringBuilder md = new StringBuilder("# chat-service benchmark\n\n");
		md.append("Machine: ").append(get(machine, "cpus")).append(" CPUs (").append(get(machine, "cpu_model"))
			.append("), ").append(get(machine, "memory_gib")).append(" GiB, Java ").append(get(machine, "java"))
			.append("; ").append(get(machine, "replicas")).append(" replicas at -Xmx").append(get(machine, "replica_heap"))
			.append("; load average at start ").append(get(machine, "load_average")).append("; scale ")
			.append(get(machine, "scale")).append(", ").append(get(machine, "warmup_s")).append(" s warm-up + ")
			.append(get(machine, "duration_s")).append(" s measured per workload").append(prewarmed(machine))
			.append("; service jar built ")
			.append(get(machine, "service_jar_built")).append(".\n\n");
		md.append("CPU columns are cores used during the measured window (1.0 = one core busy all the time). "
				+ "commits/s: database transactions of the message store per second in that window, all replicas "
				+ "together; msgs/commit: messages stored per transaction.\n\n");
		md.append("| workload | connections | msg/s | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms "
				+ "| lost | outstanding | dup | out of order | generator lag p99 ms | commits/s | msgs/commit "
				+ "| replicas CPU | generator CPU | MariaDB CPU | Redis CPU | machine CPU | load avg |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
		for (Map<String, Object> r : results) {
			String workload = String.valueOf(r.get("workload"));
			if (r.containsKey("error")) {
				md.append("| ").append(workload).append(" | error: ").append(String.valueOf(r.get("error")).replace('|', '/'))
					.append(" ||||||||||||||||||||\n");
				continue;
			}
			if (!(r.containsKey("ledger") || r.containsKey("ceiling_rate"))) {
				continue;
			}
			Map<String, Object> latency = map(r, "latency_ms");
			Map<String, Object> ledger = map(r, "ledger");
			Map<String, Object> cpu = map(r, "cpu");
			if (latency.containsKey("count") && ((Number) latency.get("count")).longValue() == 0) {
				latency = Map.of();
			}
			String rate = r.containsKey("ceiling_rate") ? "**" + r.get("ceiling_rate") + "** (ceiling)"
					: get(r, "target_rate");
			md.append("| ").append(workload).append(" | ").append(get(r, "connections")).append(" | ").append(rate)
				.append(" | ").append(get(r, "deliveries_per_s")).append(r.containsKey("throughput_deliveries_per_s")
						? " (" + get(r, "throughput_deliveries_per_s") + " overall)" : "").append(" | ").append(get(latency, "p50"))
				.append(" | ").append(get(latency, "p99")).append(" | ").append(get(latency, "p99.9")).append(" | ")
				.append(get(latency, "max")).append(" | ").append(get(ledger, "lost")).append(" | ")
				.append(get(ledger, "outstanding")).append(" | ").append(get(ledger, "duplicates")).append(" | ").append(get(ledger, "out_of_order")).append(" | ")
				.append(get(map(r, "send_lag_ms"), "p99")).append(" | ").append(get(r, "commits_per_s")).append(" | ")
				.append(get(r, "messages_per_commit")).append(" | ").append(get(cpu, "replicas_cpu")).append(" | ").append(get(cpu, "generator_cpu")).append(" | ")
				.append(get(cpu, "mariadb_cpu")).append(" | ").append(get(cpu, "redis_cpu")).append(" | ")
				.append(get(cpu, "machine_cpu")).append(" | ").append(get(cpu, "load_start")).append(" → ")
				.append(get(cpu, "load_end")).append(" |\n");
		}
		for (Map<String, Object> r : results) {
			if ("ceiling".equals(r.get("workload")) && r.get("steps") instanceof List<?> steps) {
				md.append("\nCeiling steps (rate msg/s: p99 ms, lost, verdict, database commits): ");
				List<String> parts = new ArrayList<>();
				for (Object s : steps) {
					@SuppressWarnings("unchecked")
					Map<String, Object> step = (Map<String, Object>) s;
					parts.add(get(step, "rate") + ": " + get(step, "p99_ms") + " ms, lost " + get(step, "lost") + "+"
							+ get(step, "outstanding") + " outstanding, "
							+ (Boolean.TRUE.equals(step.get("pass")) ? "pass" : "fail") + " (replicas "
							+ get(map(step, "cpu"), "replicas_cpu") + ", MariaDB " + get(map(step, "cpu"), "mariadb_cpu")
							+ ", machine " + get(map(step, "cpu"), "machine_cpu") + ")"
							+ (step.containsKey("commits_per_s") ? ", " + commits(step) : ""));
				}
				md.append(String.join("; ", parts)).append(".\n");
			}
		}
		for (Map<String, Object> r : results) {
			if ("idle".equals(r.get("workload")) && !r.containsKey("error")) {
				md.append("\n| idle | connections | chat_ws_connections gauge | heap per connection | RSS per connection "
						+ "| heap before → after | RSS before → after |\n|---|---:|---:|---:|---:|---|---|\n");
				md.append("| replica ").append(get(r, "replica")).append(" | ").append(get(r, "connections"))
					.append(" | ").append(get(r, "gauge_before")).append(" → ").append(get(r, "gauge_after"))
					.append(" | ").append(get(r, "heap_per_connection_kib")).append(" KiB | ")
					.append(get(r, "rss_per_connection_kib")).append(" KiB | ").append(get(r, "heap_before_mib"))
					.append(" → ").append(get(r, "heap_after_mib")).append(" MiB | ").append(get(r, "rss_before_mib"))
					.append(" → ").append(get(r, "rss_after_mib")).append(" MiB |\n");
			}
		}
		for (Map<String, Object> r : results) {
			if ("history".equals(r.get("workload")) && !r.containsKey("error")) {
				Map<String, Object> latency = map(r, "latency_ms");
				md.append("\n| history | messages in chat | readers | page | reads/s | p50 ms | p99 ms | max ms | failures | CPU |\n"
						+ "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
				md.append("| REST pages | ").append(get(r, "messages_in_chat")).append(" | ").append(get(r, "readers"))
					.append(" | ").append(get(r, "page_size")).append(" | ").append(get(r, "reads_per_s")).append(" | ")
					.append(get(latency, "p50")).append(" | ").append(get(latency, "p99")).append(" | ")
					.append(get(latency, "max")).append(" | ").append(get(r, "failures")).append(" | ")
					.append(cores(map(r, "cpu"))).append(" |\n");
			}
		}
		return md.toString();
	}

	private static final String[] COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b" };

	/** Latency against percentile, x on a log scale of 1/(1-p) like HdrHistogram's plots. */
	static String svg(List<Map<String, Object>> results) {
		int width = 760;
		int height = 420;
		int left = 70;
		int right = 180;
		int top = 40;
		int bottom = 60;
		double maxX = Math.log10(1 / (1 - 0.9999));
		List<String> names = new ArrayList<>();
		List<List<double[]>> curves = new ArrayList<>();
		double maxY = 1;
		for (Map<String, Object> r : results) {
			if (r.get("percentile_curve_ms") instanceof List<?> points && !points.isEmpty()) {
				List<double[]> curve = new ArrayList<>();
				for (Object point : points) {
					double[] p = toPair(point);
					if (p[0] < 100) {
						curve.add(p);
						maxY = Math.max(maxY, p[1]);
					}
				}
				names.add(String.valueOf(r.get("workload")));
				curves.add(curve);
			}
		}
		// Log scale: 1 ms to the next power of ten above the slowest point.
		double minY = 1;
		maxY = Math.pow(10, Math.max(1, Math.ceil(Math.log10(Math.max(maxY, 1.0001)))));
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
				width, height));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"22\" font-size=\"15\">Latency by percentile: chats from scheduled send to receipt; history per REST page</text>%n",
				left));
		int plotW = width - left - right;
		int plotH = height - top - bottom;
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", left, top, plotW,
				plotH));
		String[] ticks = { "0", "90", "99", "99.9", "99.99" };
		for (int i = 0; i < ticks.length; i++) {
			double x = left + plotW * (i / (double) (ticks.length - 1));
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s%%</text>%n",
					x, top, x, top + plotH, x, top + plotH + 18, ticks[i]));
		}
		int decades = (int) Math.round(Math.log10(maxY / minY));
		for (int i = 0; i <= decades; i++) {
			double value = minY * Math.pow(10, i);
			double y = top + plotH - plotH * i / (double) decades;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
					left, y, left + plotW, y, left - 6, y + 4, trim(value)));
		}
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n", left + plotW / 2, height - 18));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">latency (ms, log scale)</text>%n",
				top + plotH / 2, top + plotH / 2));
		for (int c = 0; c < curves.size(); c++) {
			String color = COLORS[c % COLORS.length];
			StringBuilder points = new StringBuilder();
			for (double[] p : curves.get(c)) {
				double fraction = Math.min(p[0] / 100, 0.9999);
				double x = left + plotW * Math.log10(1 / (1 - fraction)) / maxX;
				double clamped = Math.min(Math.max(p[1], minY), maxY);
				double y = top + plotH - plotH * Math.log10(clamped / minY) / Math.log10(maxY / minY);
				points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
			}
			svg.append(String.format(Locale.ROOT,
					"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color,
					points.toString().trim()));
			int ly = top + 10 + c * 20;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
					left + plotW + 12, ly, left + plotW + 32, ly, color, left + plotW + 38, ly + 4, names.get(c)));
		}
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static double[] toPair(Object point) {
		if (point instanceof double[] pair) {
			return pair;
		}
		if (point instanceof List<?> list) {
			return new double[] { ((Number) list.get(0)).doubleValue(), ((Number) list.get(1)).doubleValue() };
		}
		throw new IllegalArgumentException(String.valueOf(point));
	}

	private static String trim(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
	}

}
