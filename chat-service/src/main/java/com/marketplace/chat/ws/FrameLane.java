package com.marketplace.chat.ws;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
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
 * <p>
 * One thread at a time owns the lane: the reader running a frame's work, or the lane's
 * virtual thread. Work submitted from any other thread meanwhile (a close's clean-up from
 * the thread that closed the connection) waits its turn behind it.
 */
final class FrameLane {

	/**
	 * Most frames that may wait behind a slow one; the rate limit keeps a well-behaved
	 * client far below it even while the database is slow.
	 */
	static final int LIMIT = 256;

	private final BooleanSupplier closed;

	private final Consumer<RuntimeException> onFailure;

	/** Guarded by this; null while nothing waits. */
	private ArrayDeque<Runnable> waiting;

	/** Guarded by this: a thread owns the lane, or its virtual thread is starting. */
	private boolean busy;

	/** The thread running the lane's work now. */
	private volatile Thread owner;

	/**
	 * @param closed whether the connection has closed: work {@link #whileOpen} is dropped
	 * then
	 * @param onFailure told of work that failed on the lane's own thread, where nobody
	 * else would hear of it (the connection is closed there as the container would)
	 */
	FrameLane(BooleanSupplier closed, Consumer<RuntimeException> onFailure) {
		this.closed = closed;
		this.onFailure = onFailure;
	}

	/**
	 * Runs a frame's work now, or after what this connection's earlier frames still wait
	 * for.
	 * @return {@code false}, with nothing done, when {@link #LIMIT} frames wait already
	 */
	boolean run(Runnable work) {
		return submit(work, false, true);
	}

	/**
	 * Runs work that may wait: here, unless this is Tomcat's poller or the lane is
	 * another thread's now; else on the lane's virtual thread, after what waits before it
	 * and before any later frame's work. Never refused (a close's clean-up comes this
	 * way).
	 */
	void blocking(Runnable work) {
		submit(work, true, false);
	}

	/**
	 * Work that may wait, as {@link #blocking}, dropped if the connection has closed by
	 * the time its turn comes: its answer would have nowhere to go, and the close's
	 * clean-up, which comes after it, neither waits for it nor misses what it would have
	 * made (a reserved connection, a subscription).
	 */
	void whileOpen(Runnable work) {
		blocking(() -> {
			if (!this.closed.getAsBoolean()) {
				work.run();
			}
		});
	}

	private boolean submit(Runnable work, boolean mayWait, boolean refuseWhenFull) {
		boolean offPoller = mayWait && InlineReads.onPoller();
		if (this.owner == Thread.currentThread()) {
			if (offPoller) {
				// Runs on the lane's thread as soon as the work now running ends.
				synchronized (this) {
					queue().add(work);
				}
			}
			else {
				work.run();
			}
			return true;
		}
		synchronized (this) {
			if (this.busy) {
				if (refuseWhenFull && queue().size() >= LIMIT) {
					return false;
				}
				queue().add(work);
				return true;
			}
			this.busy = true;
			if (offPoller) {
				queue().add(work);
			}
		}
		if (offPoller) {
			startDrainer();
			return true;
		}
		this.owner = Thread.currentThread();
		try {
			work.run();
		}
		finally {
			this.owner = null;
			finish();
		}
		return true;
	}

	private ArrayDeque<Runnable> queue() {
		if (this.waiting == null) {
			this.waiting = new ArrayDeque<>();
		}
		return this.waiting;
	}

	/** After work run where it was submitted: hands on what came meanwhile. */
	private void finish() {
		synchronized (this) {
			if (this.waiting == null || this.waiting.isEmpty()) {
				this.waiting = null;
				this.busy = false;
				return;
			}
		}
		startDrainer();
	}

	private void startDrainer() {
		Thread.ofVirtual().name("frame-lane").start(this::drain);
	}

	private void drain() {
		this.owner = Thread.currentThread();
		while (true) {
			Runnable next;
			synchronized (this) {
				next = (this.waiting != null) ? this.waiting.poll() : null;
				if (next == null) {
					this.waiting = null;
					this.owner = null;
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
