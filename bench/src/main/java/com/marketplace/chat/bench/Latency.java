package com.marketplace.chat.bench;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram (recorded in microseconds) in milliseconds, as
 * results.jsonl's {@code latency_ms} and {@code ack_latency_ms} hold them, and the points
 * of its curve for latency.svg. Boxed, as {@link Result.Figures} are, for older lines.
 */
record Latency(Double p50, Double p90, Double p99, @JsonProperty("p99.9") Double p999, Double max, Long count) {

	/** The percentiles latency.svg draws, 100 meaning the maximum. */
	static final double[] CURVE = { 0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100 };

	static Latency of(Histogram histogram) {
		return new Latency(ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(90)),
				ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
				ms(histogram.getMaxValue()), histogram.getTotalCount());
	}

	/** {@code [percentile, ms]} pairs at {@link #CURVE}; none for an empty histogram. */
	static List<double[]> curve(Histogram histogram) {
		List<double[]> points = new ArrayList<>();
		if (histogram.getTotalCount() == 0) {
			return points;
		}
		for (double p : CURVE) {
			long value = (p >= 100) ? histogram.getMaxValue() : histogram.getValueAtPercentile(p);
			points.add(new double[] { p, ms(value) });
		}
		return points;
	}

	/** Microseconds as milliseconds with two decimals. */
	static double ms(long micros) {
		return Math.round(micros / 10d) / 100d;
	}

}
