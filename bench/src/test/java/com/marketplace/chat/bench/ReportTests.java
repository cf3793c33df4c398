package com.marketplace.chat.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
	void secondsAcceptUnits() {
		assertEquals(25, Options.seconds("25"));
		assertEquals(25, Options.seconds("25s"));
		assertEquals(0.5, Options.seconds("500ms"));
		assertEquals(120, Options.seconds("2m"));
	}

	@Test
	void svgDrawsOneLinePerCurve() {
		String svg = Report.svg(List.of(
				Map.of("workload", "a", "percentile_curve_ms", List.of(new double[] { 0, 1 }, new double[] { 99, 7 })),
				Map.of("workload", "idle")));
		assertTrue(svg.startsWith("<svg"));
		assertEquals(1, svg.split("<polyline").length - 1);
	}

}
