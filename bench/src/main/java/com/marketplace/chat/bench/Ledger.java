package com.marketplace.chat.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Checks every delivery of one run. Connections are numbered globally: connection
 * {@code g} belongs to chat {@code g / perChat}. A message is known by its sender's
 * connection and the sender's own counter {@code n} (both travel in the content), and is
 * expected exactly once on every other connection of its chat, never on the sending one.
 *
 * <ul>
 * <li><b>lost</b>: an expected delivery that never came although the connection received
 * a later message of the chat (a hole in its {@code seq} sequence that is not its own
 * message): delivery is in order, so it will never come.</li>
 * <li><b>outstanding</b>: an expected delivery that had not come when the run ended
 * (counted at {@link #summary()}, after the drain) and nothing later came either: still
 * in flight, or a tail that was lost. A clean run has none.</li>
 * <li><b>duplicate</b>: the same message twice on one connection.</li>
 * <li><b>out of order</b>: a message whose {@code seq} is not above the last one this
 * connection received.</li>
 * <li><b>unexpected</b>: a message nobody sent in this run, a message of another chat, or
 * the sender's own message echoed to the sending connection.</li>
 * <li><b>seq holes / conflicts</b>: the acknowledged {@code seq} values of a chat are not
 * consecutive, or two messages got the same one.</li>
 * <li><b>seq mismatch</b>: a delivery carries another {@code seq} than the ack.</li>
 * </ul>
 * Thread-safe: deliveries arrive on many threads at once.
 */
final class Ledger {

	private final int perChat;

	private final Map<Long, Entry> messages = new ConcurrentHashMap<>();

	private final AtomicLongArray lastSeq;

	private final LongAdder sent = new LongAdder();

	private final LongAdder acked = new LongAdder();

	private final LongAdder errors = new LongAdder();

	private final LongAdder deliveries = new LongAdder();

	private final LongAdder duplicates = new LongAdder();

	private final LongAdder outOfOrder = new LongAdder();

	private final LongAdder unexpected = new LongAdder();

	private final LongAdder seqMismatch = new LongAdder();

	Ledger(int connections, int perChat) {
		if (perChat < 2 || perChat > 63) {
			throw new IllegalArgumentException("2 to 63 connections per chat: " + perChat);
		}
		this.perChat = perChat;
		this.lastSeq = new AtomicLongArray(connections);
	}

	static long key(int senderConnection, long n) {
		return ((long) senderConnection << 40) | n;
	}

	int chatOf(int connection) {
		return connection / this.perChat;
	}

	/** The message is about to be sent; from now on it is expected. */
	void sent(int senderConnection, long n, long scheduledNanos) {
		Entry previous = this.messages.putIfAbsent(key(senderConnection, n),
				new Entry(senderConnection, scheduledNanos));
		if (previous != null) {
			throw new IllegalStateException("message " + senderConnection + ":" + n + " sent twice");
		}
		this.sent.increment();
	}

	/** The server stored the message as {@code seq}. */
	void acked(int senderConnection, long n, long seq) {
		Entry entry = this.messages.get(key(senderConnection, n));
		if (entry == null) {
			this.unexpected.increment();
			return;
		}
		synchronized (entry) {
			if (entry.seq >= 0) {
				if (entry.seq != seq) {
					this.seqMismatch.increment();
				}
				return;
			}
			entry.seq = seq;
			if (entry.deliveredSeq >= 0 && entry.deliveredSeq != seq) {
				this.seqMismatch.increment();
			}
		}
		this.acked.increment();
	}

	/** An error frame answered a send. */
	void error() {
		this.errors.increment();
	}

	enum Outcome {

		/** The first delivery of this message on this connection: its latency counts. */
		FIRST,

		DUPLICATE,

		UNEXPECTED

	}

	/**
	 * Connection {@code receiver} received the message {@code senderConnection:n} as
	 * {@code seq}.
	 */
	Outcome delivered(int receiver, int senderConnection, long n, long seq) {
		Entry entry = this.messages.get(key(senderConnection, n));
		if (entry == null || receiver == senderConnection || chatOf(receiver) != chatOf(senderConnection)) {
			this.unexpected.increment();
			return Outcome.UNEXPECTED;
		}
		long bit = 1L << (receiver % this.perChat);
		synchronized (entry) {
			if ((entry.receivedBy & bit) != 0) {
				this.duplicates.increment();
				return Outcome.DUPLICATE;
			}
			entry.receivedBy |= bit;
			if (entry.seq >= 0 && entry.seq != seq || entry.deliveredSeq >= 0 && entry.deliveredSeq != seq) {
				this.seqMismatch.increment();
			}
			entry.deliveredSeq = seq;
		}
		this.deliveries.increment();
		long previous = this.lastSeq.getAndAccumulate(receiver, seq, Math::max);
		if (seq <= previous) {
			this.outOfOrder.increment();
		}
		return Outcome.FIRST;
	}

	/** Scheduled send time of a message this run sent, or {@code -1}. */
	long scheduledAt(int senderConnection, long n) {
		Entry entry = this.messages.get(key(senderConnection, n));
		return (entry != null) ? entry.scheduledNanos : -1;
	}

	/** Deliveries still missing right now (for the drain loop). */
	long missing() {
		return this.sent.sum() * (this.perChat - 1) - this.deliveries.sum();
	}

	/**
	 * For every message still missing deliveries: its scheduled time and how many. Their
	 * latency is at least "now minus scheduled"; leaving them out would flatter an
	 * overloaded run.
	 */
	void forEachMissing(java.util.function.ObjLongConsumer<Integer> missingByScheduled) {
		for (Entry entry : this.messages.values()) {
			int missing;
			synchronized (entry) {
				missing = this.perChat - 1 - Long.bitCount(entry.receivedBy);
			}
			if (missing > 0) {
				missingByScheduled.accept(missing, entry.scheduledNanos);
			}
		}
	}

	Summary summary() {
		long lost = 0;
		long outstanding = 0;
		long lostMessages = 0; // messages missing on at least one connection
		long unacked = 0;
		Map<Integer, List<Long>> seqsByChat = new HashMap<>();
		for (Entry entry : this.messages.values()) {
			synchronized (entry) {
				int received = Long.bitCount(entry.receivedBy);
				int missing = this.perChat - 1 - received;
				if (missing > 0) {
					lostMessages++;
					long seq = (entry.seq >= 0) ? entry.seq : entry.deliveredSeq;
					int first = chatOf(entry.sender) * this.perChat;
					for (int receiver = first; receiver < first + this.perChat; receiver++) {
						if (receiver == entry.sender || (entry.receivedBy & (1L << (receiver % this.perChat))) != 0) {
							continue;
						}
						if (seq >= 0 && this.lastSeq.get(receiver) > seq) {
							lost++;
						}
						else {
							outstanding++;
						}
					}
				}
				if (entry.seq < 0) {
					unacked++;
				}
				else {
					seqsByChat.computeIfAbsent(chatOf(entry.sender), (chat) -> new ArrayList<>()).add(entry.seq);
				}
			}
		}
		long holes = 0;
		long conflicts = 0;
		for (List<Long> seqs : seqsByChat.values()) {
			seqs.sort(null);
			for (int i = 1; i < seqs.size(); i++) {
				long step = seqs.get(i) - seqs.get(i - 1);
				if (step == 0) {
					conflicts++;
				}
				else if (step > 1) {
					holes += step - 1;
				}
			}
		}
		return new Summary(this.sent.sum(), this.acked.sum(), unacked, this.errors.sum(),
				this.sent.sum() * (this.perChat - 1), this.deliveries.sum(), lost, outstanding, lostMessages,
				this.duplicates.sum(), this.outOfOrder.sum(), this.unexpected.sum(), this.seqMismatch.sum(), holes,
				conflicts);
	}

	/** Everything the ledger counted; all the fault counts must be zero. */
	record Summary(long sent, long acked, long unacked, long errors, long expectedDeliveries, long deliveries,
			long lost, long outstanding, long lostMessages, long duplicates, long outOfOrder, long unexpected,
			long seqMismatch, long seqHoles, long seqConflicts) {

		boolean clean() {
			return this.lost == 0 && this.outstanding == 0 && this.duplicates == 0 && this.outOfOrder == 0
					&& this.unexpected == 0 && this.seqMismatch == 0 && this.seqHoles == 0 && this.seqConflicts == 0
					&& this.unacked == 0 && this.errors == 0;
		}

	}

	/**
	 * A run's {@link Summary} as results.jsonl's {@code ledger} holds it, with the
	 * connections closed during the run and why ({@code close_reasons}: reason to count,
	 * only when any closed), and the first error frame. {@code clean}: the summary is
	 * clean and no connection closed.
	 */
	record Tally(Long sent, Long acked, Long unacked, Long errorFrames, Long expectedDeliveries, Long deliveries,
			Long lost, Long outstanding, Long incompleteMessages, Long duplicates, Long outOfOrder, Long unexpected,
			Long seqMismatch, Long seqHoles, Long seqConflicts, Integer closedConnections,
			Map<String, Integer> closeReasons, Boolean clean, String firstError) {

		static Tally of(Summary summary, int closedConnections, Map<String, Integer> closeReasons, String firstError) {
			return new Tally(summary.sent(), summary.acked(), summary.unacked(), summary.errors(),
					summary.expectedDeliveries(), summary.deliveries(), summary.lost(), summary.outstanding(),
					summary.lostMessages(), summary.duplicates(), summary.outOfOrder(), summary.unexpected(),
					summary.seqMismatch(), summary.seqHoles(), summary.seqConflicts(), closedConnections,
					closeReasons.isEmpty() ? null : Map.copyOf(closeReasons), summary.clean() && closedConnections == 0,
					firstError);
		}

	}

	private static final class Entry {

		final int sender;

		final long scheduledNanos;

		long seq = -1;

		long deliveredSeq = -1;

		long receivedBy;

		Entry(int sender, long scheduledNanos) {
			this.sender = sender;
			this.scheduledNanos = scheduledNanos;
		}

	}

}
