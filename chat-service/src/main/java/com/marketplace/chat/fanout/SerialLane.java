package com.marketplace.chat.fanout;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: many lanes, few
 * threads busy. A lane holds a thread only while it has work.
 */
final class SerialLane implements Executor {

	private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

	private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	private final Executor executor;

	SerialLane(Executor executor) {
		this.executor = executor;
	}

	@Override
	public void execute(Runnable task) {
		this.tasks.add(task);
		if (this.scheduled.compareAndSet(false, true)) {
			this.executor.execute(this::drain);
		}
	}

	private void drain() {
		do {
			Runnable task;
			while ((task = this.tasks.poll()) != null) {
				try {
					task.run();
				}
				catch (RuntimeException ex) {
					log.error("A delivery task failed", ex);
				}
			}
			this.scheduled.set(false);
		}
		while (!this.tasks.isEmpty() && this.scheduled.compareAndSet(false, true));
	}

}
