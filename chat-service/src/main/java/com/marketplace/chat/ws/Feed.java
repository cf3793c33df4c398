package com.marketplace.chat.ws;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * What one connection is given of its chat: each message once, in {@code seq} order, and
 * never the messages it sent itself, however they reach this replica (the bus, a gap
 * read, a resume). The connection alone knows what it sent: the writer tells it each of
 * its messages' {@code seq} right after the commit and before the bus hears of it. A
 * message from the same user that comes while a send the connection started before it is
 * still unsettled might be that send's (unless its {@code seq} is one the writer already
 * told), so it waits until those sends settle, and whatever comes after it waits behind
 * it, to keep the order. Sends started after it came cannot be it: a connection that
 * keeps sending never holds the same user's other devices' messages for longer than its
 * sends already in flight take.
 * <p>
 * Thread-safe: the relay, the replay and the message writer call it.
 */
final class Feed {

	/**
	 * A message on its way to the connection; its frame is encoded once for every
	 * connection of the replica.
	 */
	record Outgoing(long seq, long senderId, Supplier<String> frame) {
	}

	/** Where frames go. Must not block. */
	interface Sink {

		void send(Outgoing message);

	}

	private final long userId;

	private final Sink sink;

	private long lastSeq = -1;

	/** Tickets handed out by {@link #sendStarted()}, the last one. */
	private long started;

	/** The tickets of the sends not settled yet, in ascending order. */
	private final ArrayDeque<Long> unsettled = new ArrayDeque<>();

	private boolean replaying;

	private final ArrayDeque<Long> ownSeqs = new ArrayDeque<>();

	private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

	private final LongConsumer waited;

	/**
	 * @param waited told, in nanoseconds, how long each message that had to wait for a
	 * send to settle waited (the others wait for nothing and are not told)
	 */
	Feed(long userId, Sink sink, LongConsumer waited) {
		this.userId = userId;
		this.sink = sink;
		this.waited = waited;
	}

	/** The connection has (or never needs) everything up to {@code seq}. */
	synchronized void startAfter(long seq) {
		this.lastSeq = Math.max(this.lastSeq, seq);
	}

	synchronized long lastSeq() {
		return this.lastSeq;
	}

	/**
	 * The last {@code seq} the feed took, passed on or still waiting for a send to
	 * settle: where a replay goes on from (the messages waiting will pass on their own,
	 * and reading them again would only queue copies).
	 */
	synchronized long takenSeq() {
		return taken();
	}

	private long taken() {
		return this.waiting.isEmpty() ? this.lastSeq : this.waiting.peekLast().message().seq();
	}

	/** While a resume streams from MySQL, live messages are left to it. */
	synchronized void replaying(boolean replaying) {
		this.replaying = replaying;
	}

	/** A message from the relay, in {@code seq} order. */
	synchronized void live(Outgoing message) {
		if (!this.replaying) {
			offer(message);
		}
	}

	/** A message read back for a resume, in {@code seq} order. */
	synchronized void replayed(Outgoing message) {
		offer(message);
	}

	/**
	 * One of the connection's sends goes to the writer.
	 * @return its ticket, to give back to {@link #sendSettled}
	 */
	synchronized long sendStarted() {
		this.started++;
		this.unsettled.addLast(this.started);
		return this.started;
	}

	/**
	 * One of the connection's sends settled.
	 * @param ticket what {@link #sendStarted()} returned for it
	 * @param seq the stored message's {@code seq}, or -1 when it was not stored
	 */
	synchronized void sendSettled(long ticket, long seq) {
		this.unsettled.remove(ticket);
		if (seq > this.lastSeq) {
			this.ownSeqs.add(seq);
		}
		while (!this.waiting.isEmpty()
				&& !mightBeOwn(this.waiting.peek().message(), this.waiting.peek().lastTicketBefore())) {
			Waiting next = this.waiting.poll();
			if (pass(next.message())) {
				this.waited.accept(System.nanoTime() - next.sinceNanos());
			}
		}
	}

	/** Messages held back while a send settles. */
	synchronized int waitingCount() {
		return this.waiting.size();
	}

	private void offer(Outgoing message) {
		if (message.seq() <= taken()) {
			return;
		}
		if (!this.waiting.isEmpty() || mightBeOwn(message, this.started)) {
			this.waiting.add(new Waiting(message, System.nanoTime(), this.started));
			return;
		}
		pass(message);
	}

	/**
	 * Whether the message might be the echo of one of the sends started up to
	 * {@code lastTicket} that have not settled: a message of the same user whose
	 * {@code seq} is not one the writer already told.
	 */
	private boolean mightBeOwn(Outgoing message, long lastTicket) {
		return message.senderId() == this.userId && !this.unsettled.isEmpty()
				&& this.unsettled.peekFirst() <= lastTicket && !this.ownSeqs.contains(message.seq());
	}

	/**
	 * @return whether it went to the sink (not a repeat, not the connection's own)
	 */
	private boolean pass(Outgoing message) {
		if (message.seq() <= this.lastSeq) {
			return false;
		}
		this.lastSeq = message.seq();
		if (!this.ownSeqs.isEmpty()) {
			boolean own = this.ownSeqs.remove(message.seq());
			this.ownSeqs.removeIf((seq) -> seq < message.seq());
			if (own) {
				return false;
			}
		}
		this.sink.send(message);
		return true;
	}

	/**
	 * @param lastTicketBefore the last ticket handed out when it came: only those sends
	 * can be the one it is
	 */
	private record Waiting(Outgoing message, long sinceNanos, long lastTicketBefore) {
	}

}
