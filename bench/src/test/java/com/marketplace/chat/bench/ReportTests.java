package com.marketplace.chat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTests {

	@Test
	void prometheusSumsMatchingSamplesOnly() {
		String text = """
				# HELP jvm_memory_used_bytes The amount of used memory
				jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
				jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E7
				jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7
				jvm_memory_used_bytes_total 1
				chat_ws_connections 10000.0
				""";
		assertEquals(3.5e7, Prometheus.sum(text, "jvm_memory_used_bytes", "area=\"heap\""));
		assertEquals(10000, Prometheus.sum(text, "chat_ws_connections", null));
	}

	@Test
	void commitSummaryCountAndSumAreReadApart() {
		String text = """
				# HELP chat_message_commit_group Messages per database commit (count = commits, sum = messages)
				# TYPE chat_message_commit_group summary
				chat_message_commit_group_count 1200
				chat_message_commit_group_sum 5880.0
				# HELP chat_message_commit_group_max Messages per database commit (count = commits, sum = messages)
				# TYPE chat_message_commit_group_max gauge
				chat_message_commit_group_max 37.0
				""";
		assertEquals(1200, Prometheus.sum(text, "chat_message_commit_group_count", null));
		assertEquals(5880, Prometheus.sum(text, "chat_message_commit_group_sum", null));
		assertArrayEquals(new double[] { 1200, 5880 }, Commits.parse(text));
		assertArrayEquals(new double[] { 0, 0 }, Commits.parse("chat_ws_connections 3.0\n"));
	}

	@Test
	void commitFiguresArePerSecondAndPerCommit() {
		assertEquals(new Commits.Figures(480L, 4.9), Commits.figures(1200, 5880, 2.5));
		assertEquals(new Commits.Figures(0L, 0.0), Commits.figures(0, 0, 2.5));
		assertFalse(((ChatWorkload.Run) line("{\"workload\":\"chat-busy\"}").figures()).commits().measured());
	}

	@Test
	void markdownShowsCommitColumnsAndDashesForOldLines() {
		String ledger = "\"ledger\":{\"lost\":0,\"outstanding\":0}";
		String md = Report.markdown(machine("{}"), List.of(
				line("{\"workload\":\"chat-busy\"," + ledger + ",\"commits_per_s\":480,\"messages_per_commit\":4.9}"),
				line("{\"workload\":\"chat-small\"," + ledger + "}")));
		assertEquals("480", cell(md, "chat-busy", "commits/s"));
		assertEquals("4.9", cell(md, "chat-busy", "msgs/commit"));
		assertEquals("-", cell(md, "chat-small", "commits/s"));
		assertEquals("-", cell(md, "chat-small", "msgs/commit"));
	}

	@Test
	void summaryLineEndsWithCommitsWhenMeasured() {
		String ledger = "\"ledger\":{\"lost\":0,\"outstanding\":0}";
		String summary = Report.summaryLine(line("{\"workload\":\"chat-busy\",\"deliveries_per_s\":2000," + ledger
				+ ",\"commits_per_s\":412,\"messages_per_commit\":4.9}"));
		assertTrue(summary.endsWith(" | commits 412/s (4.9 msgs each)"), summary);
		assertFalse(Report.summaryLine(line("{\"workload\":\"chat-busy\"," + ledger + "}")).contains("commits"));
	}

	@Test
	void ceilingStepsShowCommitsWhenMeasured() {
		String md = Report.markdown(machine("{}"),
				List.of(line("{\"workload\":\"ceiling\",\"ceiling_rate\":300,"
						+ "\"steps\":[{\"rate\":300,\"pass\":true,\"commits_per_s\":300,\"messages_per_commit\":1.0},"
						+ "{\"rate\":450,\"pass\":false}]}")));
		assertTrue(md.contains("pass (replicas -, MariaDB -, machine -), commits 300/s (1.0 msgs each); "), md);
		assertTrue(md.contains("fail (replicas -, MariaDB -, machine -)."), md);
	}

	@Test
	void reportOnlyReadsLinesWithAndWithoutCommits() {
		// --report-only renders what it reads back from results.jsonl, older lines
		// included.
		List<Result> results = Stream.of(
				"{\"workload\":\"chat-small\",\"ledger\":{\"lost\":0},\"cpu\":{\"replicas_cpu\":[0.5,0.4]}}",
				"{\"workload\":\"chat-busy\",\"ledger\":{\"lost\":0},\"commits_per_s\":412,\"messages_per_commit\":4.9}")
			.map(Result::read)
			.toList();
		String md = Report.markdown(machine("{}"), results);
		assertEquals("-", cell(md, "chat-small", "msgs/commit"));
		assertEquals("[0.5, 0.4]", cell(md, "chat-small", "replicas CPU"));
		assertEquals("412", cell(md, "chat-busy", "commits/s"));
		assertEquals("4.9", cell(md, "chat-busy", "msgs/commit"));
	}

	@Test
	void headerMentionsThePrewarm() {
		Machine machine = machine("{\"warmup_s\":15.0,\"duration_s\":25.0,\"prewarm_s\":30.0}");
		assertTrue(Report.markdown(machine, List.of())
			.contains("15.0 s warm-up + 25.0 s measured per workload; replicas pre-warmed 30 s before the first "
					+ "workload; service jar built"));
		assertTrue(Report.markdown(machine("{\"prewarm_s\":0.5}"), List.of())
			.contains("; replicas pre-warmed 0.5 s before"));
		assertTrue(Report.markdown(machine("{\"prewarm_s\":0}"), List.of())
			.contains(" s measured per workload; replicas not pre-warmed; service jar built"));
	}

	@Test
	void headerOfAnOlderRunHasNoPrewarm() {
		String md = Report.markdown(machine("{\"warmup_s\":15.0,\"duration_s\":25.0}"), List.of());
		assertTrue(md.contains("15.0 s warm-up + 25.0 s measured per workload; service jar built"), md);
		assertFalse(md.contains("pre-warm"), md);
	}

	@Test
	void reportOnlyRendersAnOlderRunJsonWithoutPrewarm(@TempDir Path out) throws IOException {
		Files.writeString(out.resolve("run.json"), "{\"cpus\":8,\"warmup_s\":15.0,\"duration_s\":25.0}\n");
		Files.writeString(out.resolve("results.jsonl"), "{\"workload\":\"chat-small\",\"ledger\":{\"lost\":0}}\n");
		Report.rerender(out);
		String md = Files.readString(out.resolve("results.md"));
		assertTrue(md.contains("Machine: 8 CPUs"), md);
		assertTrue(md.contains("25.0 s measured per workload; service jar built"), md);
		assertEquals("0", cell(md, "chat-small", "lost"));
	}

	@Test
	void secondsAcceptUnits() {
		assertEquals(25, Options.seconds("25"));
		assertEquals(25, Options.seconds("25s"));
		assertEquals(0.5, Options.seconds("500ms"));
		assertEquals(120, Options.seconds("2m"));
	}

	@Test
	void svgDrawsOneLinePerCurve() {
		String svg = Report.svg(List.of(line("{\"workload\":\"chat-small\",\"percentile_curve_ms\":[[0,1],[99,7]]}"),
				line("{\"workload\":\"idle\"}")));
		assertTrue(svg.startsWith("<svg"));
		assertEquals(1, svg.split("<polyline").length - 1);
	}

	@Test
	void aLineIsWrittenWithTheNamesItIsReadBackBy() {
		Usage.Cpu cpu = new Usage.Cpu(0.2, 0.6, null, List.of(0.5, 0.4), Map.of("replica-1", "message-writer 0.1"), 1.9,
				2, "1.0 0.5 0.2", "1.5 0.6 0.2");
		Latency latency = new Latency(2.5, 4.0, 9.75, 12.0, 15.0, 1000L);
		ChatWorkload.Run run = new ChatWorkload.Run(
				"d", 1, 2, 2, 0, 1, 200.0, 1.0, 3.0, 600L, 600L, 200L, 190L, new Commits.Figures(180L, 1.11), 0L,
				latency, latency, new ChatWorkload.SendLag(0.5, 3.0), new Ledger.Tally(600L, 600L, 0L, 0L, 600L, 600L,
						0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0, null, true, null),
				0.3, cpu, List.of(new double[] { 0, 1.0 }, new double[] { 100, 15.0 }));
		String json = Report.JSON.writeValueAsString(Result.measured("chat-small", "2026-12-01T12:00:00Z", run, 2));
		assertTrue(json.startsWith("{\"workload\":\"chat-small\",\"started\":\"2026-12-01T12:00:00Z\","
				+ "\"description\":\"d\",\"chats\":1,\"connections\":2,\"connections_per_chat\":2,"), json);
		assertTrue(json
			.contains(",\"throughput_deliveries_per_s\":190,\"commits_per_s\":180,\"messages_per_commit\":1.11,"
					+ "\"undelivered_in_latency\":0,\"latency_ms\":{\"p50\":2.5,\"p90\":4.0,\"p99\":9.75,\"p99.9\":12.0,"
					+ "\"max\":15.0,\"count\":1000},"),
				json);
		assertTrue(json.contains("\"cpu\":{\"generator_cpu\":0.2,\"mariadb_cpu\":0.6,\"replicas_cpu\":[0.5,0.4],"
				+ "\"replica_threads\":{\"replica-1\":\"message-writer 0.1\"},\"machine_cpu\":1.9,"), json);
		assertTrue(json.endsWith("\"percentile_curve_ms\":[[0.0,1.0],[100.0,15.0]],\"replicas\":2}"), json);
		assertFalse(json.contains("null"), json);
		assertEquals(json, Report.JSON.writeValueAsString(Result.read(json)));
	}

	@Test
	void aFailedWorkloadHasItsErrorInsteadOfFigures() {
		Result failed = Result.failed("idle", "2026-12-01T12:00:00Z", new IllegalStateException("no"), 2);
		String json = Report.JSON.writeValueAsString(failed);
		assertEquals("{\"workload\":\"idle\",\"started\":\"2026-12-01T12:00:00Z\","
				+ "\"error\":\"java.lang.IllegalStateException: no\",\"replicas\":2}", json);
		assertTrue(Result.read(json).failed());
		assertEquals("idle: ERROR java.lang.IllegalStateException: no", Report.summaryLine(Result.read(json)));
	}

	private static Result line(String json) {
		return Result.read(json);
	}

	private static Machine machine(String json) {
		return Report.JSON.readValue(json, Machine.class);
	}

	/** The cell of the main table in the row of {@code workload} under {@code column}. */
	private static String cell(String markdown, String workload, String column) {
		List<String> lines = markdown.lines().toList();
		List<String> header = List.of(row(lines, "workload"));
		String[] row = row(lines, workload);
		assertEquals(header.size(), row.length, String.join("|", row));
		return row[header.indexOf(column)];
	}

	private static String[] row(List<String> lines, String first) {
		String line = lines.stream().filter((l) -> l.startsWith("| " + first + " |")).findFirst().orElseThrow();
		return line.split(" \\| ");
	}

}
