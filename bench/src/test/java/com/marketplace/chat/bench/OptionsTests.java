package com.marketplace.chat.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTests {

	@Test
	void defaultsAreTheFullSuite() {
		Options options = Options.parse();
		assertEquals(Options.ALL_WORKLOADS, options.workloads());
		assertEquals(25, options.duration);
		assertEquals(15, options.warmup);
		assertEquals(15, options.drain);
		assertEquals(1, options.scale);
		assertEquals(-1, options.rate);
		assertEquals(2, options.replicas);
		assertEquals("1g", options.replicaHeap);
		assertEquals(20000, options.tomcatMaxConnections);
		assertEquals(List.of(), options.replicaArgs);
		assertEquals(Path.of("chat-service/target/chat-service-0.1.0-SNAPSHOT.jar"), options.jar);
		assertEquals(Path.of("bench/target"), options.out);
		assertEquals("jdbc:mariadb://127.0.0.1:3306/", options.jdbcBase);
		assertEquals("root", options.dbUser);
		assertEquals("", options.dbPassword);
		assertEquals(6379, options.redisPort);
		assertFalse(options.keepDatabase);
		assertFalse(options.reportOnly);
		assertTrue(options.clientMessageIds);
		assertEquals(10000, options.idleConnections);
		assertEquals(10, options.ceilingStepSeconds);
		assertEquals(3, options.ceilingWarmup);
		assertEquals(100, options.p99LimitMs);
	}

	@Test
	void theReadmesQuickCheckParses() {
		Options options = Options.parse("--scale=0.1", "--duration=6s", "--warmup=2s", "--prewarm=5s",
				"--idle-connections=1000", "--history-messages=10000", "--ceiling-step=4s", "--ceiling-start=50");
		assertEquals(0.1, options.scale);
		assertEquals(6, options.duration);
		assertEquals(2, options.warmup);
		assertEquals(5, options.prewarm);
		assertEquals(1000, options.idleConnections);
		assertEquals(10000, options.historyMessages);
		assertEquals(4, options.ceilingStepSeconds);
		assertEquals(50, options.ceilingStart);
	}

	@Test
	void flagsTakeTheirValueAfterAnEqualsSignOrAsTheNextArgument() {
		Options options = Options.parse("--workloads", "idle", "--idle-connections", "19500",
				"--tomcat-max-connections=25000", "--replica-heap", "2g", "--rate=500", "--db-password=",
				"--keep-database", "--report-only", "--no-client-message-ids");
		assertEquals(List.of("idle"), options.workloads());
		assertEquals(19500, options.idleConnections);
		assertEquals(25000, options.tomcatMaxConnections);
		assertEquals("2g", options.replicaHeap);
		assertEquals(500, options.rate);
		assertEquals("", options.dbPassword);
		assertTrue(options.keepDatabase);
		assertTrue(options.reportOnly);
		assertFalse(options.clientMessageIds);
	}

	@Test
	void replicaArgumentsRepeatAndMayLookLikeFlags() {
		Options options = Options.parse("--replica-arg=--chat.fanout.gap-wait=100ms", "--replica-arg",
				"--chat.message.writers=0", "--replica-jvm-arg=-XX:+UseZGC");
		assertEquals(List.of("--chat.fanout.gap-wait=100ms", "--chat.message.writers=0"), options.replicaArgs);
		assertEquals(List.of("-XX:+UseZGC"), options.replicaJvmArgs);
	}

	@Test
	void workloadsAreChosenInOrderAndAllSpellsThemOut() {
		assertEquals(List.of("group", "chat-small"), Options.parse("--workloads=group,chat-small").workloads());
		assertEquals(List.of("idle", "chat-small", "chat-busy", "group", "ceiling", "idle", "history"),
				Options.parse("--workloads", "idle,all").workloads());
	}

	@Test
	void theServerUrlGetsItsSlash() {
		assertEquals("jdbc:mysql://db:3306/", Options.parse("--jdbc=jdbc:mysql://db:3306").jdbcBase);
	}

	@Test
	void prewarmIsThirtySecondsByDefault() {
		Options options = Options.parse();
		assertEquals(30, options.prewarm);
		assertTrue(options.prewarms());
	}

	@Test
	void prewarmTakesDurationsLikeWarmup() {
		assertEquals(0.5, Options.parse("--prewarm=500ms").prewarm);
		assertEquals(120, Options.parse("--prewarm", "2m").prewarm);
		assertEquals(45, Options.parse("--prewarm=45s", "--warmup=2s").prewarm);
	}

	@Test
	void zeroPrewarmTurnsItOff() {
		Options options = Options.parse("--prewarm=0s");
		assertEquals(0, options.prewarm);
		assertFalse(options.prewarms());
	}

	@Test
	void prewarmOnlyWhenAChatWorkloadIsChosen() {
		assertTrue(Options.parse("--workloads=ceiling").prewarms());
		assertTrue(Options.parse("--workloads=idle,group").prewarms());
		assertFalse(Options.parse("--workloads=idle,history").prewarms());
	}

	@Test
	void badValuesAreRefusedWithTheReason() {
		assertEquals(
				"Invalid value for option '--workloads' (LIST): unknown workload 'chats'; known: all, "
						+ "chat-small, chat-busy, group, ceiling, idle, history",
				assertThrows(CommandLine.ParameterException.class, () -> Options.parse("--workloads=group,chats"))
					.getMessage());
		assertEquals("Invalid value for option '--duration': '25x' is not a duration such as 500ms, 25s or 2m",
				assertThrows(CommandLine.ParameterException.class, () -> Options.parse("--duration=25x")).getMessage());
	}

	@Test
	void anUnknownFlagStopsTheBenchBeforeItStartsAnything() {
		StringWriter err = new StringWriter();
		int exit = new CommandLine(new BenchMain()).setErr(new PrintWriter(err)).execute("--replica=3");
		assertEquals(2, exit);
		assertTrue(err.toString().startsWith("Unknown option: '--replica=3'"), err.toString());
		assertTrue(err.toString().contains("Possible solutions: --replicas,"), err.toString());
	}

	@Test
	void helpListsTheFlagsWithTheirDefaults() {
		StringWriter out = new StringWriter();
		int exit = new CommandLine(new BenchMain()).setOut(new PrintWriter(out)).execute("--help");
		assertEquals(0, exit);
		assertTrue(out.toString().startsWith("Usage: java -jar bench/target/chat-bench.jar [flags]"), out.toString());
		assertTrue(out.toString().contains("--duration=TIME"), out.toString());
		assertTrue(out.toString().contains("Default: 25s"), out.toString());
	}

}
