package com.marketplace.chat.system;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each case in a JVM of its own, started with the flags a deployment might give it, as
 * the post-processor changes a flag of the whole JVM.
 */
class HeapRetentionTests {

	@Test
	void keepsTheHeapOfAJvmStartedWithOnlyItsHeapLimit() throws Exception {
		assertThat(probe(List.of("-Xmx256m", "-XX:+UseG1GC"), "")).isEqualTo("100 MANAGEMENT");
	}

	@Test
	void leavesTheFlagAnOperatorSetOnTheCommandLine() throws Exception {
		assertThat(probe(List.of("-XX:+UseG1GC", "-XX:MaxHeapFreeRatio=60"), "")).isEqualTo("60 VM_CREATION");
	}

	@Test
	void leavesTheHeapAloneWhenTurnedOff() throws Exception {
		assertThat(probe(List.of("-XX:+UseG1GC"), "false")).isEqualTo("70 DEFAULT");
	}

	@Test
	void leavesOtherCollectorsAlone() throws Exception {
		assertThat(probe(List.of("-XX:+UseSerialGC"), "")).isEqualTo("70 DEFAULT");
	}

	/** Runs {@link Probe} in a new JVM and answers what it printed. */
	private static String probe(List<String> jvmFlags, String enabled) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElseThrow());
		command.addAll(jvmFlags);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), enabled));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM ended").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(process.exitValue()).as(output).isZero();
		return output.lines().reduce((first, last) -> last).orElse("");
	}

	/** Runs the post-processor in its own JVM and prints the flag's value and origin. */
	static final class Probe {

		public static void main(String[] args) {
			StandardEnvironment environment = new StandardEnvironment();
			if (args.length > 0 && !args[0].isEmpty()) {
				environment.getPropertySources()
					.addFirst(new MapPropertySource("test", Map.of(HeapRetention.ENABLED, args[0])));
			}
			new HeapRetention((destination) -> destination.get()).postProcessEnvironment(environment,
					new SpringApplication());
			VMOption option = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
				.getVMOption(HeapRetention.FLAG);
			System.out.println(option.getValue() + " " + option.getOrigin());
		}

	}

}
