package com.marketplace.chat.bench;

import java.nio.file.Files;

/** {@code java -jar bench/target/chat-bench.jar [flags]}; see {@link Options#usage()}. */
public final class BenchMain {

	private BenchMain() {
	}

	public static void main(String[] args) throws Exception {
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		if (options.reportOnly) {
			Report.rerender(options.out);
			return;
		}
		if (!Files.isRegularFile(options.jar)) {
			System.err.println("No service jar at " + options.jar.toAbsolutePath()
					+ ": build it first (./mvnw -DskipTests package -pl chat-service -am) or pass --jar.");
			System.exit(2);
		}
		var results = new Bench(options).run();
		boolean failed = results.stream().anyMatch((result) -> result.containsKey("error"));
		System.exit(failed ? 1 : 0);
	}

}
