package com.marketplace.chat.deployment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads chat-service/Dockerfile (no Docker engine needed) and checks the runtime stage: a
 * linked Java runtime, unprivileged, the layered jar copied from the least to the most
 * often changed layer, the service port, and no HEALTHCHECK of its own.
 */
class DockerfileTests {

	private static final Path DOCKERFILE = Path.of("Dockerfile");

	private static List<String> instructions;

	private static List<String> runtimeStage;

	@BeforeAll
	static void readRuntimeStage() throws IOException {
		instructions = instructions(Files.readString(DOCKERFILE));
		int lastFrom = 0;
		for (int i = 0; i < instructions.size(); i++) {
			if (instructions.get(i).startsWith("FROM ")) {
				lastFrom = i;
			}
		}
		runtimeStage = instructions.subList(lastFrom, instructions.size());
	}

	@Test
	void runsAsAnUnprivilegedUser() {
		assertThat(runtimeStage).filteredOn((instruction) -> instruction.startsWith("USER "))
			.last()
			.isEqualTo("USER 10001:10001");
	}

	@Test
	void linksARuntimeWithTheModulesTheLibrariesNeed() {
		String jlink = instructions.stream()
			.filter((instruction) -> instruction.startsWith("RUN jlink"))
			.findFirst()
			.orElseThrow();
		List<String> modules = List.of(jlink.replaceAll(".*--add-modules (\\S+).*", "$1").split(","));

		// Java SE; Unsafe for Netty and Lettuce; Micrometer's process metrics.
		assertThat(modules).contains("java.se", "jdk.unsupported", "jdk.management");
		assertThat(runtimeStage).contains("COPY --from=jre --link /jre /opt/java");
	}

	@Test
	void copiesTheJarLayersFromLeastToMostOftenChanged() {
		List<String> layers = runtimeStage.stream()
			.filter((instruction) -> instruction.startsWith("COPY --from=build"))
			.map((instruction) -> instruction.replaceAll(".*/layers/([^/ ]+)/.*", "$1"))
			.toList();

		assertThat(layers).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies",
				"application");
	}

	@Test
	void exposesTheServicePortAndLeavesHealthChecksToTheOrchestrator() {
		assertThat(runtimeStage).contains("EXPOSE 8000");
		assertThat(runtimeStage).noneMatch((instruction) -> instruction.startsWith("HEALTHCHECK"));
	}

	@Test
	void sizesTheHeapFromTheContainersMemory() {
		assertThat(runtimeStage).anyMatch((instruction) -> instruction.startsWith("ENV JAVA_OPTS=")
				&& instruction.contains("-XX:MaxRAMPercentage="));
		assertThat(runtimeStage).filteredOn((instruction) -> instruction.startsWith("ENTRYPOINT"))
			.singleElement()
			.asString()
			.contains("exec java $JAVA_OPTS");
	}

	/** Instructions with continuation lines joined and comments dropped. */
	private static List<String> instructions(String dockerfile) {
		List<String> instructions = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (String line : dockerfile.split("\n")) {
			String trimmed = line.trim();
			if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
				continue;
			}
			boolean continues = trimmed.endsWith("\\");
			current.append(continues ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed).append(' ');
			if (!continues) {
				instructions.add(current.toString().trim());
				current.setLength(0);
			}
		}
		return instructions;
	}

}
