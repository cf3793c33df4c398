package com.marketplace.chat.bench;

/** Just enough of the Prometheus text format to read a few samples. */
final class Prometheus {

	private Prometheus() {
	}

	/**
	 * Sum of the samples of {@code name} (exactly that metric, any labels) whose label
	 * set contains {@code labelFilter} (e.g. {@code area="heap"}), or all when it is
	 * null.
	 */
	static double sum(String text, String name, String labelFilter) {
		double sum = 0;
		for (String line : text.split("\n")) {
			if (line.startsWith("#") || !line.startsWith(name)) {
				continue;
			}
			int end = name.length();
			if (line.length() <= end || (line.charAt(end) != '{' && line.charAt(end) != ' ')) {
				continue;
			}
			String labels = "";
			int valueStart = end + 1;
			if (line.charAt(end) == '{') {
				int close = line.indexOf('}', end);
				labels = line.substring(end + 1, close);
				valueStart = close + 2;
			}
			if (labelFilter != null && !labels.contains(labelFilter)) {
				continue;
			}
			String value = line.substring(valueStart).trim().split("\\s+")[0];
			sum += Double.parseDouble(value);
		}
		return sum;
	}

}
