package com.marketplace.chat.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The order of one chat's messages on this replica: hands them on in {@code seq} order,
 * each once, with no gap, whatever order and however often the bus and the database bring
 * them. Plain logic with the time passed in; the relay serializes calls on one chat and
 * does the reading.
 * <ul>
 * <li>A message at or below the last one handed on is a repeat and dropped.</li>
 * <li>One that jumps ahead is held; once the first held one has waited {@code gapWait},
 * {@link #gapToRead} names the range to read from MySQL.</li>
 * <li>{@link #sweptUpTo} compares with the chat's committed {@code last_seq}: a message
 * the previous sweep already saw committed but that has not arrived was lost on the bus;
 * one committed since may still be on its way.</li>
 * </ul>
 *
 * @param <M> what is handed on: a message with whatever travels with it
 */
final class ChatStream<M> {

	private final long gapWaitNanos;

	private final TreeMap<Long, M> ahead = new TreeMap<>();

	private long delivered = -1;

	private long heldSinceNanos;

	private long committedAtLastSweep = -1;

	ChatStream(long gapWaitNanos) {
		this.gapWaitNanos = gapWaitNanos;
	}

	/**
	 * Starts after {@code lastSeq}: what was committed before this replica took interest
	 * is not handed on.
	 */
	void startAfter(long lastSeq) {
		this.delivered = lastSeq;
		this.ahead.headMap(lastSeq, true).clear();
	}

	boolean isStarted() {
		return this.delivered >= 0;
	}

	/** The last {@code seq} handed on. */
	long delivered() {
		return this.delivered;
	}

	/**
	 * Takes one message (from the bus or a read) and answers those that may now be handed
	 * on, in order: none while a gap is open before it.
	 */
	List<M> accept(long seq, M message, long nowNanos) {
		if (!isStarted() || seq <= this.delivered || this.ahead.containsKey(seq)) {
			return List.of();
		}
		if (this.ahead.isEmpty()) {
			if (seq == this.delivered + 1) {
				this.delivered = seq;
				return List.of(message);
			}
			this.heldSinceNanos = nowNanos;
		}
		this.ahead.put(seq, message);
		return drain(nowNanos);
	}

	/** Takes what a read from MySQL returned, in {@code seq} order. */
	List<M> acceptAll(List<M> messages, ToLongFunction<M> seqOf, long nowNanos) {
		List<M> ready = new ArrayList<>();
		for (M message : messages) {
			ready.addAll(accept(seqOf.applyAsLong(message), message, nowNanos));
		}
		return ready;
	}

	private List<M> drain(long nowNanos) {
		List<M> ready = new ArrayList<>();
		while (!this.ahead.isEmpty() && this.ahead.firstKey() == this.delivered + 1) {
			ready.add(this.ahead.pollFirstEntry().getValue());
			this.delivered++;
		}
		if (!ready.isEmpty() && !this.ahead.isEmpty()) {
			// What is still held now waits from here, behind a new gap.
			this.heldSinceNanos = nowNanos;
		}
		return ready;
	}

	/** Whether messages are held behind a gap. */
	boolean hasGap() {
		return !this.ahead.isEmpty();
	}

	/**
	 * The last {@code seq} to read from MySQL (everything after {@link #delivered()} up
	 * to it) when a gap has been open for {@code gapWait}; -1 when there is none, or not
	 * yet.
	 */
	long gapToRead(long nowNanos) {
		if (this.ahead.isEmpty() || nowNanos - this.heldSinceNanos < this.gapWaitNanos) {
			return -1;
		}
		return this.ahead.lastKey() - 1;
	}

	/**
	 * Told the chat's committed {@code last_seq} by a sweep: answers the last {@code seq}
	 * to read from MySQL, or -1 when nothing is missing. With {@code everything}, all
	 * that is committed counts (the bus is known to be unreliable now); otherwise only
	 * what the previous sweep had already seen committed.
	 */
	long sweptUpTo(long committed, boolean everything) {
		long due = everything ? committed : Math.min(committed, this.committedAtLastSweep);
		this.committedAtLastSweep = committed;
		return (isStarted() && due > this.delivered) ? due : -1;
	}

}
