package com.marketplace.chat.system;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs a component's periodic tasks, started in its
 * {@code SmartLifecycle.start()} and closed in its {@code stop()}. A periodic task that
 * throws is logged and runs again next time (a plain scheduled executor would never run
 * it again).
 */
public final class Ticker implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Ticker.class);

	private final String name;

	private final ScheduledExecutorService executor;

	private Ticker(String name) {
		this.name = name;
		this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
	}

	public static Ticker start(String name) {
		return new Ticker(name);
	}

	/** Runs {@code task} every {@code period}, the first time one period from now. */
	public Ticker every(Duration period, Runnable task) {
		long millis = Math.max(1, period.toMillis());
		this.executor.scheduleWithFixedDelay(() -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				log.warn("A periodic task of {} failed: {}", this.name, ex.toString(), ex);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
		return this;
	}

	/** Runs {@code task} once, after {@code delay}. */
	public void once(Duration delay, Runnable task) {
		this.executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
