package com.marketplace.chat.system;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Records the message path's timers and summaries on a thread of its own. A thread on the
 * message path only puts the sample in a slot of its meter's ring; every
 * {@link #DRAIN_PERIOD} this component's thread records what the rings hold into the
 * Micrometer meters, so what the scrape shows is about that much behind.
 * <p>
 * Why: Micrometer's {@code TimeWindowMax} rotates its buckets once a step (a minute), and
 * the JIT compiler, which saw no rotation in the seconds it profiled the message path,
 * compiles the rotation out of the methods it inlines the meter into; the next rotation
 * throws all of them (the writer's commit, the relay's delivery, the outbox's pump) back
 * to the interpreter at once, and under load C2 takes seconds to compile them again. With
 * the meters recorded here only this thread's code is ever thrown back.
 * <p>
 * Nothing is lost while the service runs: a sample that finds its slot still full (a ring
 * holds {@link #RING_SLOTS}, some 80 000 samples a second at this period, beyond what one
 * meter takes at the rates measured) is recorded into the meter on the caller's thread,
 * as it would be without this component. At shutdown the last drain comes after every
 * component that records has stopped ({@link Phases#OFF_PATH_METERS}).
 */
@Component
public class OffPathMeters implements SmartLifecycle {

	static final Duration DRAIN_PERIOD = Duration.ofMillis(50);

	static final int RING_SLOTS = 4096;

	private final List<Samples> all = new CopyOnWriteArrayList<>();

	private Ticker ticker;

	private volatile boolean running;

	/**
	 * Samples of a timer, in nanoseconds; negative ones are dropped, as the timer would.
	 */
	public Samples timer(Timer timer) {
		return add(new Samples(RING_SLOTS, (nanos) -> timer.record(nanos, TimeUnit.NANOSECONDS)));
	}

	/** Samples of a distribution summary, in whole units (a count, a size). */
	public Samples summary(DistributionSummary summary) {
		return add(new Samples(RING_SLOTS, summary::record));
	}

	private Samples add(Samples samples) {
		this.all.add(samples);
		return samples;
	}

	/** Records every sample put so far into its meter (also what tests call). */
	public void drain() {
		for (Samples samples : this.all) {
			samples.drain();
		}
	}

	@Override
	public void start() {
		this.ticker = Ticker.start("off-path-meters").every(DRAIN_PERIOD, this::drain);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		if (this.ticker != null) {
			this.ticker.close();
		}
		drain();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops after everything that records, so its last drain sees their last samples. */
	@Override
	public int getPhase() {
		return Phases.OFF_PATH_METERS;
	}

	/**
	 * One meter's ring of samples: any thread puts, drains take turns. A slot holds
	 * {@link #EMPTY} or a sample; a put takes the next slot in turn if it is empty, else
	 * records on the spot; a drain records and empties every full slot.
	 */
	public static final class Samples {

		static final long EMPTY = Long.MIN_VALUE;

		private final AtomicLongArray slots;

		private final int mask;

		private final AtomicLong next = new AtomicLong();

		private final LongConsumer meter;

		Samples(int size, LongConsumer meter) {
			if (Integer.bitCount(size) != 1) {
				throw new IllegalArgumentException("a ring's size is a power of two, not " + size);
			}
			this.slots = new AtomicLongArray(size);
			for (int i = 0; i < size; i++) {
				this.slots.set(i, EMPTY);
			}
			this.mask = size - 1;
			this.meter = meter;
		}

		/** Takes one sample; the caller never waits for the meter. */
		public void record(long value) {
			if (value < 0) {
				return;
			}
			int slot = (int) (this.next.getAndIncrement() & this.mask);
			if (!this.slots.compareAndSet(slot, EMPTY, value)) {
				this.meter.accept(value);
			}
		}

		/** Records every full slot into the meter and empties it. */
		synchronized void drain() {
			for (int i = 0; i <= this.mask; i++) {
				long value = this.slots.getAcquire(i);
				if (value != EMPTY) {
					this.slots.setRelease(i, EMPTY);
					this.meter.accept(value);
				}
			}
		}

	}

}
