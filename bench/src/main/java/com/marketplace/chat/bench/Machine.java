package com.marketplace.chat.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * run.json: the machine and the run's settings, for the header of results.md. Read back
 * by {@code --report-only}, where an older run.json may lack any field (a run from before
 * the pre-warm has no {@code prewarm_s}).
 */
record Machine(Integer cpus, String cpuModel, Double memoryGib, String openFilesLimit, String java, String loadAverage,
		String serviceJarBuilt, Integer replicas, String replicaHeap, Double scale, Double durationS, Double warmupS,
		Double prewarmS) {

	static Machine of(Options options) {
		String cpuModel = null;
		Double memoryGib = null;
		String openFilesLimit = null;
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					cpuModel = line.substring(line.indexOf(':') + 1).trim();
					break;
				}
			}
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					memoryGib = Usage.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576d);
				}
			}
			for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
				if (line.startsWith("Max open files")) {
					openFilesLimit = line.replaceAll("\\s+", " ").trim();
				}
			}
		}
		catch (Exception ex) {
			// best effort
		}
		String jarBuilt = null;
		try {
			jarBuilt = Files.getLastModifiedTime(options.jar).toString();
		}
		catch (Exception ex) {
			// reported missing elsewhere
		}
		return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel, memoryGib, openFilesLimit,
				Runtime.version().toString(), Usage.loadAverage(), jarBuilt, options.replicas, options.replicaHeap,
				options.scale, options.duration, options.warmup, options.prewarms() ? options.prewarm : 0);
	}

}
