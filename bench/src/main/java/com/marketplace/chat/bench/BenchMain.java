package com.marketplace.chat.bench;

import java.nio.file.Files;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code java -jar bench/target/chat-bench.jar [flags]}, from the repository root;
 * picocli answers {@code --help} (exit 0) and a bad flag (its message and the flags on
 * stderr, exit 2) before anything starts.
 */
@Command(name = "chat-bench", sortOptions = false, showDefaultValues = true, usageHelpAutoWidth = true,
		customSynopsis = { "java -jar bench/target/chat-bench.jar [flags]",
				"   or bench/run.sh [flags], from the repository root" },
		description = "Starts chat-service replicas on a fresh database, measures the chosen workloads and "
				+ "writes the figures under --out (see bench/README.md).")
public final class BenchMain implements Callable<Integer> {

	@Mixin
	private Options options;

	public static void main(String[] args) {
		// The test kit's issuer runs on threads that would keep this JVM alive after an
		// error escaped (a replica that does not start is an AssertionError there): end
		// with it.
		Thread.currentThread().setUncaughtExceptionHandler((thread, failure) -> {
			failure.printStackTrace();
			System.exit(1);
		});
		System.exit(new CommandLine(new BenchMain()).execute(args));
	}

	@Override
	public Integer call() throws Exception {
		if (this.options.reportOnly) {
			Report.rerender(this.options.out);
			return 0;
		}
		if (!Files.isRegularFile(this.options.jar)) {
			System.err.println("No service jar at " + this.options.jar.toAbsolutePath()
					+ ": build it first (./mvnw -DskipTests package -pl chat-service -am) or pass --jar.");
			return 2;
		}
		boolean failed = new Bench(this.options).run().stream().anyMatch(Result::failed);
		return failed ? 1 : 0;
	}

}
