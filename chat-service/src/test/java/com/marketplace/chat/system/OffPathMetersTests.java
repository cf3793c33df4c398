package com.marketplace.chat.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The message path's samples reach their meters later, on another thread, each exactly
 * once, and a full ring records on the caller's thread rather than lose a sample.
 */
class OffPathMetersTests {

	@Test
	void aSampleReachesItsMeterAtTheNextDrainAndOnlyOnce() {
		List<Long> recorded = new ArrayList<>();
		OffPathMeters.Samples samples = new OffPathMeters.Samples(8, recorded::add);
		for (long value : new long[] { 0, 5, 7, 11, 13 }) {
			samples.record(value);
		}
		assertThat(recorded).as("nothing is recorded on the caller's thread").isEmpty();
		samples.drain();
		assertThat(recorded).containsExactlyInAnyOrder(0L, 5L, 7L, 11L, 13L);
		samples.drain();
		assertThat(recorded).as("a drained slot is empty").hasSize(5);
	}

	@Test
	void aFullRingRecordsTheOverflowOnTheCallersThreadAndLosesNothing() {
		List<Long> recorded = new ArrayList<>();
		OffPathMeters.Samples samples = new OffPathMeters.Samples(4, recorded::add);
		for (long value = 1; value <= 10; value++) {
			samples.record(value);
		}
		assertThat(recorded).as("the six that found their slot full").containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
		samples.drain();
		assertThat(recorded).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
		samples.record(11);
		samples.drain();
		assertThat(recorded).as("the ring is usable again once drained").hasSize(11).contains(11L);
	}

	@Test
	void negativeSamplesAreDroppedAsMicrometerDropsThem() {
		List<Long> recorded = new ArrayList<>();
		OffPathMeters.Samples samples = new OffPathMeters.Samples(4, recorded::add);
		samples.record(-1);
		samples.record(Long.MIN_VALUE);
		samples.record(3);
		samples.drain();
		assertThat(recorded).containsExactly(3L);
	}

	@Test
	void aRingIsAPowerOfTwo() {
		assertThatIllegalArgumentException().isThrownBy(() -> new OffPathMeters.Samples(6, (value) -> {
		})).withMessageContaining("power of two");
	}

	@Test
	void manyThreadsPuttingWhileOneDrainsRecordEverySampleExactlyOnce() throws Exception {
		Set<Long> seen = ConcurrentHashMap.newKeySet();
		AtomicInteger twice = new AtomicInteger();
		OffPathMeters.Samples samples = new OffPathMeters.Samples(1024, (value) -> {
			if (!seen.add(value)) {
				twice.incrementAndGet();
			}
		});
		int threads = 4;
		int each = 50_000;
		AtomicBoolean putting = new AtomicBoolean(true);
		Thread drainer = Thread.ofPlatform().start(() -> {
			while (putting.get()) {
				samples.drain();
			}
		});
		List<Thread> producers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			long first = (long) t * each;
			producers.add(Thread.ofPlatform().start(() -> {
				for (long value = first; value < first + each; value++) {
					samples.record(value);
				}
			}));
		}
		for (Thread producer : producers) {
			producer.join();
		}
		putting.set(false);
		drainer.join();
		samples.drain();
		assertThat(twice).as("recorded twice").hasValue(0);
		assertThat(seen).as("every sample, once").hasSize(threads * each);
	}

	@Test
	void timersAndSummariesGetTheirSamplesFromTheDrainThreadAndAtStop() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		OffPathMeters meters = new OffPathMeters();
		Timer timer = Timer.builder("t").register(registry);
		DistributionSummary summary = DistributionSummary.builder("s").register(registry);
		OffPathMeters.Samples times = meters.timer(timer);
		OffPathMeters.Samples sizes = meters.summary(summary);
		meters.start();
		try {
			times.record(TimeUnit.MILLISECONDS.toNanos(3));
			sizes.record(40);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while ((timer.count() == 0 || summary.count() == 0) && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(timer.count()).as("drained by the component's own thread").isEqualTo(1);
			assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3.0);
			assertThat(summary.totalAmount()).isEqualTo(40.0);
		}
		finally {
			times.record(TimeUnit.MILLISECONDS.toNanos(4));
			meters.stop();
		}
		assertThat(timer.count()).as("what was left is recorded at stop").isEqualTo(2);
		assertThat(meters.isRunning()).isFalse();
	}

}
