package com.marketplace.chat.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code results.jsonl} (one JSON line per workload, appended as each finishes),
 * {@code run.json}, {@code results.md} (the tables) and {@code latency.svg} (latency by
 * percentile), from {@link Result} and {@link Machine} records.
 */
final class Report {

	/**
	 * The records' fields in {@code snake_case}; absent ones (null) are left out, and
	 * read back as null, so the tables show "-" for what an older line lacks.
	 */
	static final JsonMapper JSON = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.changeDefaultPropertyInclusion((inclusion) -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.build();

	private static final Machine UNKNOWN_MACHINE = new Machine(null, null, null, null, null, null, null, null, null,
			null, null, null, null);

	private final Path out;

	private final Path jsonl;

	private Machine machine;

	Report(Path out) {
		this.out = out;
		this.jsonl = out.resolve("results.jsonl");
	}

	void start(Machine machine) throws IOException {
		this.machine = machine;
		Files.createDirectories(this.out);
		Files.writeString(this.jsonl, "");
		Files.writeString(this.out.resolve("run.json"), JSON.writeValueAsString(machine) + "\n");
	}

	void line(Result result) throws IOException {
		Files.writeString(this.jsonl, JSON.writeValueAsString(result) + "\n", StandardOpenOption.APPEND);
	}

	void finish(List<Result> results) throws IOException {
		Files.writeString(this.out.resolve("results.md"), markdown(this.machine, results));
		Files.writeString(this.out.resolve("latency.svg"), svg(results));
		System.out.println();
		System.out.println(markdown(this.machine, results));
		System.out.println(
				"wrote " + this.jsonl + ", " + this.out.resolve("results.md") + ", " + this.out.resolve("latency.svg"));
	}

	/**
	 * Writes results.md and latency.svg again from an earlier run's files, without
	 * servers.
	 */
	static void rerender(Path out) throws IOException {
		Report report = new Report(out);
		Path run = out.resolve("run.json");
		report.machine = Files.exists(run) ? JSON.readValue(Files.readString(run), Machine.class) : UNKNOWN_MACHINE;
		List<Result> results = new ArrayList<>();
		for (String line : Files.readAllLines(report.jsonl)) {
			if (!line.isBlank()) {
				results.add(Result.read(line));
			}
		}
		report.finish(results);
	}

	/** The value as the tables show it: "-" when absent. */
	static String dash(Object value) {
		return (value == null) ? "-" : String.valueOf(value);
	}

	static String cores(Usage.Cpu cpu) {
		if (cpu == null) {
			return "-";
		}
		return "replicas " + dash(cpu.replicasCpu()) + ", generator " + dash(cpu.generatorCpu()) + ", MariaDB "
				+ dash(cpu.mariadbCpu()) + ", Redis " + dash(cpu.redisCpu()) + ", machine " + dash(cpu.machineCpu())
				+ "/" + dash(cpu.cpus());
	}

	/**
	 * {@code commits 412/s (4.9 msgs each)}: the message store's database commits in the
	 * measured window.
	 */
	static String commits(Commits.Figures commits) {
		return "commits " + dash(commits.commitsPerS()) + "/s (" + dash(commits.messagesPerCommit()) + " msgs each)";
	}

	static String summaryLine(Result r) {
		if (r.failed()) {
			return r.workload() + ": ERROR " + r.error();
		}
		StringBuilder line = new StringBuilder(String.valueOf(r.workload())).append(":");
		Row row = Row.of(r.figures());
		if (r.figures() instanceof CeilingWorkload.Ceiling ceiling) {
			line.append(" ceiling ").append(ceiling.ceilingRate()).append(" msg/s");
		}
		if (r.figures() instanceof ChatWorkload.Run run) {
			line.append(" ").append(run.deliveriesPerS()).append(" deliveries/s");
		}
		Latency latency = (row != null) ? row.latency() : null;
		if (r.figures() instanceof HistoryWorkload.Reads reads) {
			line.append(" ").append(reads.readsPerS()).append(" reads/s");
			latency = reads.latencyMs();
		}
		if (latency != null) {
			line.append(" p50 ")
				.append(latency.p50())
				.append(" ms p99 ")
				.append(latency.p99())
				.append(" ms max ")
				.append(latency.max())
				.append(" ms");
		}
		if (row != null && row.ledger() != null) {
			Ledger.Tally ledger = row.ledger();
			line.append(" lost ")
				.append(ledger.lost())
				.append(" outstanding ")
				.append(ledger.outstanding())
				.append(" dup ")
				.append(ledger.duplicates())
				.append(" ooo ")
				.append(ledger.outOfOrder())
				.append(" clean ")
				.append(ledger.clean());
		}
		if (r.figures() instanceof IdleWorkload.Memory memory) {
			line.append(" heap/conn ")
				.append(memory.heapPerConnectionKib())
				.append(" KiB rss/conn ")
				.append(memory.rssPerConnectionKib())
				.append(" KiB");
		}
		line.append(" | cpu ").append(cores((r.figures() != null) ? r.figures().cpu() : null));
		if (row != null && row.commits().measured()) {
			line.append(" | ").append(commits(row.commits()));
		}
		return line.toString();
	}

	/**
	 * {@code ; replicas pre-warmed 30 s before the first workload} from run.json's
	 * {@code prewarm_s}; empty for a run.json written before the pre-warm existed.
	 */
	static String prewarmed(Machine machine) {
		if (machine.prewarmS() == null) {
			return "";
		}
		if (machine.prewarmS() <= 0) {
			return "; replicas not pre-warmed";
		}
		return "; replicas pre-warmed " + seconds(machine.prewarmS()) + " s before the first workload";
	}

	/** Seconds without a needless fraction: {@code 30}, {@code 0.5}. */
	static String seconds(double seconds) {
		return BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString();
	}

	/**
	 * What the main table and the summary line show of a chat workload's run or of the
	 * ceiling.
	 */
	private record Row(Object connections, String rate, Object deliveriesPerS, Long overall, Latency latency,
			Ledger.Tally ledger, ChatWorkload.SendLag sendLag, Commits.Figures commits, Usage.Cpu cpu) {

		static Row of(Result.Figures figures) {
			return switch (figures) {
				case ChatWorkload.Run run -> new Row(run.connections(), dash(run.targetRate()), run.deliveriesPerS(),
						run.throughputDeliveriesPerS(), run.latencyMs(), run.ledger(), run.sendLagMs(), run.commits(),
						run.cpu());
				case CeilingWorkload.Ceiling ceiling -> new Row(null, "**" + ceiling.ceilingRate() + "** (ceiling)",
						null, null, ceiling.latencyMs(), null, null, ceiling.commits(), ceiling.cpu());
				case null, default -> null;
			};
		}

	}

	static String markdown(Machine machine, List<Result> results) {
		StringBuilder md = new StringBuilder("# chat-service benchmark\n\n");
		md.append("Machine: ")
			.append(dash(machine.cpus()))
			.append(" CPUs (")
			.append(dash(machine.cpuModel()))
			.append("), ")
			.append(dash(machine.memoryGib()))
			.append(" GiB, Java ")
			.append(dash(machine.java()))
			.append("; ")
			.append(dash(machine.replicas()))
			.append(" replicas at -Xmx")
			.append(dash(machine.replicaHeap()))
			.append("; load average at start ")
			.append(dash(machine.loadAverage()))
			.append("; scale ")
			.append(dash(machine.scale()))
			.append(", ")
			.append(dash(machine.warmupS()))
			.append(" s warm-up + ")
			.append(dash(machine.durationS()))
			.append(" s measured per workload")
			.append(prewarmed(machine))
			.append("; service jar built ")
			.append(dash(machine.serviceJarBuilt()))
			.append(".\n\n");
		md.append("CPU columns are cores used during the measured window (1.0 = one core busy all the time). "
				+ "commits/s: database transactions of the message store per second in that window, all replicas "
				+ "together; msgs/commit: messages stored per transaction.\n\n");
		md.append("| workload | connections | msg/s | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms "
				+ "| lost | outstanding | dup | out of order | generator lag p99 ms | commits/s | msgs/commit "
				+ "| replicas CPU | generator CPU | MariaDB CPU | Redis CPU | machine CPU | load avg |\n");
		md.append(
				"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
		for (Result r : results) {
			String workload = String.valueOf(r.workload());
			if (r.failed()) {
				md.append("| ")
					.append(workload)
					.append(" | error: ")
					.append(r.error().replace('|', '/'))
					.append(" ||||||||||||||||||||\n");
				continue;
			}
			Row row = Row.of(r.figures());
			if (row == null) {
				continue;
			}
			Latency latency = (row.latency() != null && Long.valueOf(0).equals(row.latency().count())) ? null
					: row.latency();
			Ledger.Tally ledger = row.ledger();
			Usage.Cpu cpu = row.cpu();
			md.append("| ")
				.append(workload)
				.append(" | ")
				.append(dash(row.connections()))
				.append(" | ")
				.append(row.rate())
				.append(" | ")
				.append(dash(row.deliveriesPerS()))
				.append((row.overall() != null) ? " (" + row.overall() + " overall)" : "")
				.append(" | ")
				.append(dash((latency != null) ? latency.p50() : null))
				.append(" | ")
				.append(dash((latency != null) ? latency.p99() : null))
				.append(" | ")
				.append(dash((latency != null) ? latency.p999() : null))
				.append(" | ")
				.append(dash((latency != null) ? latency.max() : null))
				.append(" | ")
				.append(dash((ledger != null) ? ledger.lost() : null))
				.append(" | ")
				.append(dash((ledger != null) ? ledger.outstanding() : null))
				.append(" | ")
				.append(dash((ledger != null) ? ledger.duplicates() : null))
				.append(" | ")
				.append(dash((ledger != null) ? ledger.outOfOrder() : null))
				.append(" | ")
				.append(dash((row.sendLag() != null) ? row.sendLag().p99() : null))
				.append(" | ")
				.append(dash(row.commits().commitsPerS()))
				.append(" | ")
				.append(dash(row.commits().messagesPerCommit()))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.replicasCpu() : null))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.generatorCpu() : null))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.mariadbCpu() : null))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.redisCpu() : null))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.machineCpu() : null))
				.append(" | ")
				.append(dash((cpu != null) ? cpu.loadStart() : null))
				.append(" → ")
				.append(dash((cpu != null) ? cpu.loadEnd() : null))
				.append(" |\n");
		}
		for (Result r : results) {
			if (r.figures() instanceof CeilingWorkload.Ceiling ceiling && ceiling.steps() != null) {
				md.append("\nCeiling steps (rate msg/s: p99 ms, lost, verdict, database commits): ");
				List<String> parts = new ArrayList<>();
				for (CeilingWorkload.Step step : ceiling.steps()) {
					Usage.Cpu cpu = step.cpu();
					parts.add(dash(step.rate()) + ": " + dash(step.p99Ms()) + " ms, lost " + dash(step.lost()) + "+"
							+ dash(step.outstanding()) + " outstanding, "
							+ (Boolean.TRUE.equals(step.pass()) ? "pass" : "fail") + " (replicas "
							+ dash((cpu != null) ? cpu.replicasCpu() : null) + ", MariaDB "
							+ dash((cpu != null) ? cpu.mariadbCpu() : null) + ", machine "
							+ dash((cpu != null) ? cpu.machineCpu() : null) + ")"
							+ (step.commits().measured() ? ", " + commits(step.commits()) : ""));
				}
				md.append(String.join("; ", parts)).append(".\n");
			}
		}
		for (Result r : results) {
			if (r.figures() instanceof IdleWorkload.Memory m) {
				md.append(
						"\n| idle | connections | chat_ws_connections gauge | heap per connection | RSS per connection "
								+ "| heap before → after | RSS before → after |\n|---|---:|---:|---:|---:|---|---|\n");
				md.append("| replica ")
					.append(dash(m.replica()))
					.append(" | ")
					.append(dash(m.connections()))
					.append(" | ")
					.append(dash(m.gaugeBefore()))
					.append(" → ")
					.append(dash(m.gaugeAfter()))
					.append(" | ")
					.append(dash(m.heapPerConnectionKib()))
					.append(" KiB | ")
					.append(dash(m.rssPerConnectionKib()))
					.append(" KiB | ")
					.append(dash(m.heapBeforeMib()))
					.append(" → ")
					.append(dash(m.heapAfterMib()))
					.append(" MiB | ")
					.append(dash(m.rssBeforeMib()))
					.append(" → ")
					.append(dash(m.rssAfterMib()))
					.append(" MiB |\n");
			}
		}
		for (Result r : results) {
			if (r.figures() instanceof HistoryWorkload.Reads h) {
				Latency latency = h.latencyMs();
				md.append(
						"\n| history | messages in chat | readers | page | reads/s | p50 ms | p99 ms | max ms | failures | CPU |\n"
								+ "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
				md.append("| REST pages | ")
					.append(dash(h.messagesInChat()))
					.append(" | ")
					.append(dash(h.readers()))
					.append(" | ")
					.append(dash(h.pageSize()))
					.append(" | ")
					.append(dash(h.readsPerS()))
					.append(" | ")
					.append(dash((latency != null) ? latency.p50() : null))
					.append(" | ")
					.append(dash((latency != null) ? latency.p99() : null))
					.append(" | ")
					.append(dash((latency != null) ? latency.max() : null))
					.append(" | ")
					.append(dash(h.failures()))
					.append(" | ")
					.append(cores(h.cpu()))
					.append(" |\n");
			}
		}
		return md.toString();
	}

	private static final String[] COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b" };

	/**
	 * Latency against percentile, x on a log scale of 1/(1-p) like HdrHistogram's plots.
	 */
	static String svg(List<Result> results) {
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
		for (Result r : results) {
			List<double[]> points = (r.figures() != null) ? r.figures().percentileCurveMs() : null;
			if (points != null && !points.isEmpty()) {
				List<double[]> curve = new ArrayList<>();
				for (double[] p : points) {
					if (p[0] < 100) {
						curve.add(p);
						maxY = Math.max(maxY, p[1]);
					}
				}
				names.add(String.valueOf(r.workload()));
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
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", left, top,
				plotW, plotH));
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
		svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
				left + plotW / 2, height - 18));
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

	private static String trim(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
	}

}
