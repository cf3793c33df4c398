package com.marketplace.chat.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.message.BatchWriter.Outcome;
import com.marketplace.chat.message.BatchWriter.Request;
import com.marketplace.chat.system.OffPathMeters;
import com.marketplace.chat.system.Phases;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * Lets concurrent sends share commits. Each writer thread owns the chats that hash to it
 * and takes every send of them waiting in its queue (up to
 * {@code chat.message.group-size}) into one transaction, so one chat's messages are
 * stored in the order they came, and two writers never wait for each other's row locks.
 * Under light load a commit holds one message and starts at once; while sends come faster
 * than one per {@code chat.message.group-linger}, a writer that finds one waits up to
 * that long for company (see {@link #linger}), and whatever arrived during the previous
 * commit shares the next.
 * <p>
 * After the commit the writer first completes each send's future (the sending connection
 * learns its message's {@code seq} and is acked), then publishes
 * {@link MessagesCommitted} for the whole commit, which the fan-out sends to Redis in one
 * write. So every message is stored before anyone hears of it, and its sender knows it
 * before any replica delivers it.
 * <p>
 * Every sender learns the outcome within twice {@code chat.message.commit-timeout}: a
 * send still queued after one timeout is not tried any more, and a transaction is bounded
 * by one timeout. If the shared transaction fails because of the database (unreachable,
 * too slow, out of connections), every message of the batch fails with it at once (a lock
 * conflict with another replica's writer is tried again first); if it fails because of
 * one message, each is stored again in a transaction of its own, so one bad message never
 * fails the others. A full queue refuses at once.
 */
@Component
class GroupCommitter implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

	/**
	 * Sends one writer holds before refusing more: far beyond a second of its throughput.
	 * A linked queue: senders and the writer take separate locks (an array queue shares
	 * one between them), and no branch that first runs after this many sends (an array
	 * queue's wrap-around) sends the compiled send path back to the interpreter.
	 */
	static final int QUEUE_CAPACITY = 20_000;

	static final int LOCK_ATTEMPTS = 3;

	private final BatchWriter store;

	private final MessageProperties properties;

	private final ApplicationEventPublisher events;

	private final List<Lane> lanes = new ArrayList<>();

	private volatile boolean running;

	private final OffPathMeters.Samples groupSizes;

	private final OffPathMeters.Samples queued;

	GroupCommitter(BatchWriter store, MessageProperties properties, ApplicationEventPublisher events,
			MeterRegistry meters, OffPathMeters offPath) {
		this.store = store;
		this.properties = properties;
		this.events = events;
		for (int i = 0; i < properties.writers(); i++) {
			this.lanes.add(new Lane(new LinkedBlockingQueue<>(QUEUE_CAPACITY)));
		}
		this.groupSizes = offPath.summary(DistributionSummary.builder("chat.message.commit.group")
			.description("Messages per database commit of the message store (count = commits, sum = messages)")
			.register(meters));
		this.queued = offPath.timer(Timer.builder("chat.message.queue")
			.description("Time a message waits in the writers' queue before its transaction starts")
			.publishPercentileHistogram()
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(meters));
	}

	/**
	 * Queues one message, to share a commit with whatever else is being sent right now.
	 * The future completes on the writer's thread right after the commit, before anything
	 * is published; it fails with {@link TransactionTimedOutException} or a database
	 * exception when the message could not be stored, or with a
	 * {@link com.marketplace.chat.chats.ChatAccessDeniedException} for a sender who may
	 * not send there.
	 */
	CompletableFuture<Committed> submit(Request request) {
		Pending pending = new Pending(request, System.nanoTime());
		if (!this.running || this.lanes.isEmpty()) {
			alone(pending);
			return pending.result;
		}
		Lane lane = this.lanes.get(Math.floorMod(request.chat().hashCode(), this.lanes.size()));
		if (!lane.queue.offer(pending)) {
			pending.result.completeExceptionally(
					new TransactionTimedOutException("The message writers are full; the message was not stored"));
		}
		else if (lane.queue.size() >= lane.room) {
			LockSupport.unpark(lane.writer);
		}
		return pending.result;
	}

	private void write(Lane lane) {
		BlockingQueue<Pending> queue = lane.queue;
		List<Pending> batch = new ArrayList<>();
		Arrivals arrivals = new Arrivals();
		long linger = this.properties.groupLinger().toNanos();
		while (this.running || !queue.isEmpty()) {
			try {
				Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch, this.properties.groupSize() - 1);
				arrivals.saw(batch);
				if (arrivals.meanGapNanos() < linger) {
					int drained = batch.size();
					linger(lane, batch, first.queuedAtNanos + linger);
					arrivals.saw(batch.subList(drained, batch.size()));
				}
				long now = System.nanoTime();
				batch.forEach((pending) -> this.queued.record(now - pending.queuedAtNanos));
				batch.removeIf(this::settleIfLate);
				if (!batch.isEmpty()) {
					commit(batch);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				log.error("A message writer failed", ex);
				batch.forEach((pending) -> pending.result.completeExceptionally(ex));
			}
			finally {
				batch.clear();
			}
		}
	}

	/**
	 * How fast sends arrive at one writer: a moving mean of the gaps between their
	 * arrivals, over the last eight or so.
	 */
	private static final class Arrivals {

		private long last;

		/**
		 * Starts as if sends came a second apart: no lingering until they come faster.
		 */
		private long meanGap = TimeUnit.SECONDS.toNanos(1);

		void saw(List<Pending> pendings) {
			for (Pending pending : pendings) {
				if (this.last != 0) {
					long gap = Math.max(0, pending.queuedAtNanos - this.last);
					this.meanGap = this.meanGap - (this.meanGap >> 3) + (gap >> 3);
				}
				this.last = pending.queuedAtNanos;
			}
		}

		long meanGapNanos() {
			return this.meanGap;
		}

	}

	/**
	 * Waits for more sends until {@code deadline} (the first one's arrival plus
	 * {@code chat.message.group-linger}) or a full group: fewer, larger commits for a few
	 * milliseconds of latency. The writer waits only while sends arrive faster than one
	 * per linger (so a quiet chat service commits at once, and a busy one shares its
	 * commits), and a writer that was busy committing finds its linger over already.
	 * <p>
	 * It sleeps through the linger rather than waking for each send that comes: on a
	 * machine whose cores are all busy every wake-up is a wait for a core (measured: the
	 * writer waited for one longer than it ran), and those sends would only be moved from
	 * the queue to the batch. The send that fills the group wakes it early.
	 */
	private void linger(Lane lane, List<Pending> batch, long deadline) throws InterruptedException {
		int size = this.properties.groupSize();
		int room = size - batch.size();
		lane.room = room;
		try {
			while (lane.queue.size() < room) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					break;
				}
				LockSupport.parkNanos(this, left);
				if (Thread.interrupted()) {
					throw new InterruptedException();
				}
			}
		}
		finally {
			lane.room = Integer.MAX_VALUE;
		}
		lane.queue.drainTo(batch, size - batch.size());
	}

	/** Fails a send that waited past its deadline; {@code true} if it did. */
	private boolean settleIfLate(Pending pending) {
		if (System.nanoTime() - pending.queuedAtNanos > this.properties.commitTimeout().toNanos()) {
			pending.result.completeExceptionally(new TransactionTimedOutException(
					"The database did not take the message within the commit timeout"));
			return true;
		}
		return false;
	}

	private void commit(List<Pending> batch) {
		List<Outcome> outcomes;
		try {
			outcomes = storeAll(batch);
		}
		catch (RuntimeException shared) {
			if (batch.size() == 1 || isDatabaseFailure(shared)) {
				batch.forEach((pending) -> pending.result.completeExceptionally(shared));
				return;
			}
			log.debug("A grouped commit of {} messages failed ({}); storing them one by one", batch.size(),
					shared.toString());
			for (Pending pending : batch) {
				if (!settleIfLate(pending)) {
					alone(pending);
				}
			}
			return;
		}
		this.groupSizes.record(batch.size());
		List<Committed> stored = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			Committed sent = settle(batch.get(i), outcomes.get(i));
			if (sent != null) {
				stored.add(sent);
			}
		}
		publish(stored);
	}

	/**
	 * One transaction for the batch, done again (at most {@link #LOCK_ATTEMPTS} times,
	 * and within the commit timeout) when the database chose it as a deadlock's victim or
	 * it waited too long for a lock: another replica's writer held rows it needed.
	 */
	private List<Outcome> storeAll(List<Pending> batch) {
		List<Request> requests = batch.stream().map((pending) -> pending.request).toList();
		for (int attempt = 1;; attempt++) {
			try {
				return this.store.commit(requests);
			}
			catch (PessimisticLockingFailureException contended) {
				long oldest = batch.stream().mapToLong((pending) -> pending.queuedAtNanos).min().orElseThrow();
				if (attempt == LOCK_ATTEMPTS
						|| System.nanoTime() - oldest > this.properties.commitTimeout().toNanos()) {
					throw contended;
				}
				log.debug("A grouped commit met a lock conflict ({}); trying again", contended.toString());
			}
		}
	}

	/** Stores one message in a transaction of its own, settles it, then publishes it. */
	private void alone(Pending pending) {
		Outcome outcome;
		try {
			outcome = storeAll(List.of(pending)).get(0);
		}
		catch (RuntimeException ex) {
			pending.result.completeExceptionally(ex);
			return;
		}
		this.groupSizes.record(1);
		Committed sent = settle(pending, outcome);
		if (sent != null) {
			publish(List.of(sent));
		}
	}

	private void publish(List<Committed> stored) {
		if (stored.isEmpty()) {
			return;
		}
		try {
			this.events.publishEvent(new MessagesCommitted(stored));
		}
		catch (RuntimeException ex) {
			log.warn("Announcing {} stored messages failed; receivers will read them from the database", stored.size(),
					ex);
		}
	}

	/**
	 * A failure of the database itself, which storing the messages one by one would only
	 * repeat.
	 */
	private static boolean isDatabaseFailure(RuntimeException ex) {
		return ex instanceof TransientDataAccessException || ex instanceof DataAccessResourceFailureException
				|| ex instanceof RecoverableDataAccessException || ex instanceof TransactionException;
	}

	private static Committed settle(Pending pending, Outcome outcome) {
		if (outcome.refusal() != null) {
			pending.result.completeExceptionally(outcome.refusal());
			return null;
		}
		try {
			pending.result.complete(outcome.sent());
		}
		catch (RuntimeException ex) {
			log.warn("Telling a sender its message was stored failed", ex);
		}
		return outcome.sent();
	}

	@Override
	public void start() {
		this.running = true;
		for (int i = 0; i < this.lanes.size(); i++) {
			Lane lane = this.lanes.get(i);
			lane.writer = Thread.ofPlatform().daemon().name("message-writer-" + i).unstarted(() -> write(lane));
			lane.writer.start();
		}
	}

	/** Stops taking new work; the writers finish what is queued first. */
	@Override
	public void stop() {
		this.running = false;
		for (Lane lane : this.lanes) {
			try {
				lane.writer.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops once the web server has, so that every send accepted is stored and published.
	 */
	@Override
	public int getPhase() {
		return Phases.WRITERS;
	}

	/**
	 * One writer: its queue, its thread, and while it lingers the room left in its group
	 * (the queue length at which a sender wakes it).
	 */
	private static final class Lane {

		final BlockingQueue<Pending> queue;

		volatile Thread writer;

		volatile int room = Integer.MAX_VALUE;

		Lane(BlockingQueue<Pending> queue) {
			this.queue = queue;
		}

	}

	private static final class Pending {

		final Request request;

		final long queuedAtNanos;

		final CompletableFuture<Committed> result = new CompletableFuture<>();

		Pending(Request request, long queuedAtNanos) {
			this.request = request;
			this.queuedAtNanos = queuedAtNanos;
		}

	}

}
