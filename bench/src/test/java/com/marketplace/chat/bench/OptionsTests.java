package com.marketplace.chat.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTests {

	@Test
	void prewarmIsThirtySecondsByDefault() {
		Options options = Options.parse(new String[0]);
		assertEquals(30, options.prewarm);
		assertTrue(options.prewarms());
	}

	@Test
	void prewarmTakesDurationsLikeWarmup() {
		assertEquals(0.5, Options.parse(new String[] { "--prewarm=500ms" }).prewarm);
		assertEquals(120, Options.parse(new String[] { "--prewarm", "2m" }).prewarm);
		assertEquals(45, Options.parse(new String[] { "--prewarm=45s", "--warmup=2s" }).prewarm);
	}

	@Test
	void zeroPrewarmTurnsItOff() {
		Options options = Options.parse(new String[] { "--prewarm=0s" });
		assertEquals(0, options.prewarm);
		assertFalse(options.prewarms());
	}

	@Test
	void prewarmOnlyWhenAChatWorkloadIsChosen() {
		assertTrue(Options.parse(new String[] { "--workloads=ceiling" }).prewarms());
		assertTrue(Options.parse(new String[] { "--workloads=idle,group" }).prewarms());
		assertFalse(Options.parse(new String[] { "--workloads=idle,history" }).prewarms());
	}

}
