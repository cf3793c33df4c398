package com.marketplace.chat.ws;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What one connection's frames make the service do, in the order they came, on a thread
 * that may do it. Tomcat reads a connection's frames on its poller when nothing waits to
 * be written to it ({@link InlineReads}), and there nothing may wait: every connection of
 * the replica waits with it. Most frames only hand work on (a message to the writers, a
 * frame to an outbox) and run where they were read; work that may wait (a database query,
 * a token check that may fetch keys, Redis) goes through {@link #blocking}, which on the
 * poller hands it to a virtual thread, and whatever the connection's later frames do runs
 * after it, on that thread, until nothing is left.
 */
final class FrameLane {

	/**
	 * Most frames that may wait behind a slow one; the rate limit keeps a well-behaved
	 * client far below it even while the database is slow.
	 */
	static final int LIMIT = 256;

	private final Consumer<RuntimeException> onFailure;

	/** Guarded by this; null while nothing waits. */
	private ArrayDeque<Runnable> waiting;

	/** A virtual thread runs what waits, or is about to. */
	private volatile boolean busy;

	private volatile Thread drainer;

	/**
	 * @param onFailure told of work that failed on the lane's own thread, where nobody
	 * else would hear of it (the connection is closed there as the container would)
	 */
	FrameLane(Consumer<RuntimeException> onFailure) {
		this.onFailure = onFailure;
	}

	/**
	 * Runs a frame's work now, or after what this connection's earlier frames still wait
	 * for.
	 * @return {@code false}, with nothing done, when {@link #LIMIT} frames wait already
	 */
	boolean run(Runnable work) {
		if (!this.busy) {
			work.run();
			return true;
		}
		return enqueue(work, true);
	}

	/**
	 * Runs work that may wait: here, unless this is Tomcat's poller or earlier work
	 * waits; then on the lane's virtual thread, before any later frame's. Never refused
	 * (a close's clean-up comes this way).
	 */
	void blocking(Runnable work) {
		if (Thread.currentThread() == this.drainer || (!this.busy && !InlineReads.onPoller())) {
			work.run();
			return;
		}
		enqueue(work, false);
	}

	private boolean enqueue(Runnable work, boolean refuseWhenFull) {
		synchronized (this) {
			if (this.waiting == null) {
				this.waiting = new ArrayDeque<>();
			}
			if (refuseWhenFull && this.waiting.size() >= LIMIT) {
				return false;
			}
			this.waiting.add(work);
			if (this.busy) {
				return true;
			}
			this.busy = true;
		}
		Thread.ofVirtual().name("frame-lane").start(this::drain);
		return true;
	}

	private void drain() {
		this.drainer = Thread.currentThread();
		while (true) {
			Runnable next;
			synchronized (this) {
				next = this.waiting.poll();
				if (next == null) {
					this.waiting = null;
					this.drainer = null;
					this.busy = false;
					return;
				}
			}
			try {
				next.run();
			}
			catch (RuntimeException ex) {
				this.onFailure.accept(ex);
			}
		}
	}

}
