package com.marketplace.chat.ws;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.marketplace.chat.system.OffPathMeters;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;

/**
 * One connection's bounded send queue. Frames are written with the container's
 * asynchronous send, one at a time, so no caller ever waits for a slow reader: a delivery
 * lane only enqueues. When the queue passes its limit, or one write fails or outlives the
 * send timeout, {@code onOverflow} is told once and the outbox stops accepting frames.
 */
final class Outbox {

	private final RemoteEndpoint.Async remote;

	private final long limitChars;

	private final Consumer<String> onOverflow;

	private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();

	private final OffPathMeters.Samples waited;

	private final AtomicLong queuedChars = new AtomicLong();

	private final AtomicBoolean writing = new AtomicBoolean();

	private final AtomicBoolean failed = new AtomicBoolean();

	/**
	 * @param waited records how long each frame waited before it was handed to the
	 * container
	 */
	Outbox(RemoteEndpoint.Async remote, long limitBytes, Consumer<String> onOverflow, OffPathMeters.Samples waited) {
		this.remote = remote;
		this.waited = waited;
		this.limitChars = Math.max(1, limitBytes / 2);
		this.onOverflow = onOverflow;
	}

	/** Queues a text frame; {@code false} if the outbox has overflowed or failed. */
	boolean offer(String frame) {
		if (this.failed.get()) {
			return false;
		}
		if (this.queuedChars.addAndGet(frame.length()) > this.limitChars) {
			fail("send buffer full");
			return false;
		}
		this.queue.add(new Queued(frame, System.nanoTime()));
		pump();
		return true;
	}

	long queuedChars() {
		return this.queuedChars.get();
	}

	/**
	 * Takes the outbox's one write for a while without writing, so that nothing is being
	 * written to the socket until {@link #release()}: what a frame offered meanwhile
	 * waits in the queue. {@code false} when a write is under way (it may be waiting for
	 * the socket) or the outbox has failed.
	 */
	boolean tryHold() {
		return !this.failed.get() && this.writing.compareAndSet(false, true);
	}

	/** Ends a {@link #tryHold() hold} and writes what was offered during it. */
	void release() {
		this.writing.set(false);
		pump();
	}

	private void pump() {
		while (!this.failed.get() && !this.queue.isEmpty() && this.writing.compareAndSet(false, true)) {
			Queued queued = this.queue.poll();
			if (queued == null) {
				this.writing.set(false);
				continue;
			}
			String next = queued.frame();
			this.queuedChars.addAndGet(-next.length());
			this.waited.record(System.nanoTime() - queued.atNanos());
			// Exactly one of this thread and the completion handler goes on pumping: the
			// one that finds the other already done. The handler runs inline, inside
			// sendText, when the socket took the frame at once (SendCompletions).
			AtomicBoolean handoff = new AtomicBoolean();
			SendHandler completion = (result) -> {
				if (!result.isOK()) {
					fail("write failed: " + result.getException());
					return;
				}
				this.writing.set(false);
				if (!handoff.compareAndSet(false, true)) {
					pump();
				}
			};
			SendCompletions.sending();
			try {
				this.remote.sendText(next, completion);
			}
			catch (RuntimeException ex) {
				fail("write failed: " + ex);
				return;
			}
			finally {
				SendCompletions.sent();
			}
			if (handoff.compareAndSet(false, true)) {
				return;
			}
		}
	}

	private void fail(String reason) {
		if (this.failed.compareAndSet(false, true)) {
			this.queue.clear();
			this.onOverflow.accept(reason);
		}
	}

	private record Queued(String frame, long atNanos) {
	}

}
