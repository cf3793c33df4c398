package com.marketplace.chat.system;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
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
		assertThat(probe(List.of("-Xmx256m", "-XX:+UseG1GC"), "direct", "")).isEqualTo("100 MANAGEMENT");
	}

	@Test
	void leavesTheFlagAnOperatorSetOnTheCommandLine() throws Exception {
		assertThat(probe(List.of("-XX:+UseG1GC", "-XX:MaxHeapFreeRatio=60"), "direct", "")).isEqualTo("60 VM_CREATION");
	}

	@Test
	void leavesTheHeapAloneWhenTurnedOff() throws Exception {
		assertThat(probe(List.of("-XX:+UseG1GC"), "direct", "false")).isEqualTo("70 DEFAULT");
	}

	@Test
	void leavesOtherCollectorsAlone() throws Exception {
		assertThat(probe(List.of("-XX:+UseSerialGC"), "direct", "")).isEqualTo("70 DEFAULT");
	}

	@Test
	void runsInEverySpringApplicationAfterItsConfigurationFilesAreRead(@TempDir Path config) throws Exception {
		assertThat(probe(List.of("-XX:+UseG1GC"), "application")).as("registered in spring.factories")
			.isEqualTo("100 MANAGEMENT");
		Path off = Files.writeString(config.resolve("off.yaml"), "chat:\n  jvm:\n    keep-heap: false\n");
		assertThat(probe(List.of("-XX:+UseG1GC"), "application", "--spring.config.additional-location=file:" + off))
			.as("turned off in a configuration file")
			.isEqualTo("70 DEFAULT");
	}

	/**
	 * Runs {@link Probe} in a new JVM, with none of the environment's JVM options, and
	 * answers the last line it printed.
	 */
	private static String probe(List<String> jvmFlags, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmFlags);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
		Process process = builder.start();
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM ended").isTrue();
			assertThat(process.exitValue()).as(output).isZero();
			return output.lines().reduce((first, last) -> last).orElse("");
		}
		finally {
			process.destroyForcibly();
		}
	}

	/** Runs the post-processor in its own JVM and prints the flag's value and origin. */
	static final class Probe {

		/**
		 * {@code direct [enabled]}: the post-processor alone, with that setting;
		 * {@code application [args...]}: an empty Spring application, as Spring Boot
		 * finds and orders its post-processors.
		 */
		public static void main(String[] args) {
			if (args[0].equals("application")) {
				SpringApplication application = new SpringApplication(Probe.class);
				application.setWebApplicationType(WebApplicationType.NONE);
				application.run(Arrays.copyOfRange(args, 1, args.length)).close();
			}
			else {
				StandardEnvironment environment = new StandardEnvironment();
				if (args.length > 1 && !args[1].isEmpty()) {
					environment.getPropertySources()
						.addFirst(new MapPropertySource("test", Map.of(HeapRetention.ENABLED, args[1])));
				}
				new HeapRetention((destination) -> destination.get()).postProcessEnvironment(environment,
						new SpringApplication());
			}
			VMOption option = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
				.getVMOption(HeapRetention.FLAG);
			System.out.println(option.getValue() + " " + option.getOrigin());
		}

	}

}
