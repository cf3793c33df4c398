package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.marketplace.chat.message.MessageStore.Outcome;
import com.marketplace.chat.message.MessageStore.Request;
import com.marketplace.chat.message.MessageStore.Stored;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Lets concurrent sends share commits. A few writer threads each take every send waiting
 * in the queue (up to {@code chat.message.group-size}) and store them in one transaction;
 * a sender returns only after that transaction has committed, so every message is still
 * stored before its ack. There is no waiting window: under light load a batch holds one
 * message; under heavy load the messages that arrived during the previous commit share
 * the next one.
 * <p>
 * Every sender learns the outcome within twice {@code chat.message.commit-timeout}: a send
 * still queued after one timeout is not tried any more, and a transaction is bounded by
 * one timeout. If the shared transaction fails because of the database (unreachable, too
 * slow, out of connections), every message of the batch fails with it at once; if it
 * fails because of one message, each is stored again in a transaction of its own, so one
 * bad message never fails the others. Transactions here are plain JDBC ones on the
 * writers' own connections ({@link WriterDatabase}).
 */
@Component
class GroupCommitter implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

	private final MessageStore store;

	private final TransactionTemplate transactions;

	private final MessageProperties properties;

	private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

	private final List<Thread> writers = new ArrayList<>();

	private volatile boolean running;

	private final DistributionSummary groupSizes;

	GroupCommitter(MessageStore store, WriterDatabase database, MessageProperties properties, MeterRegistry meters) {
		this.store = store;
		this.transactions = database.transactions();
		this.properties = properties;
		this.groupSizes = DistributionSummary.builder("chat.message.commit.group")
			.description("Messages per database commit of the message store (count = commits, sum = messages)")
			.register(meters);
	}

	/**
	 * Stores one message, sharing the commit with whatever else is being sent right now.
	 * @throws TransactionTimedOutException when no outcome came within twice the commit
	 * timeout (the message may then have been stored: a retry with the same client message
	 * id finds it)
	 */
	Stored store(Request request) {
		if (!this.running || this.properties.writers() == 0) {
			return unwrap(alone(request));
		}
		long timeoutNanos = this.properties.commitTimeout().toNanos();
		Pending pending = new Pending(request, System.nanoTime() + timeoutNanos);
		this.queue.add(pending);
		try {
			return pending.result.get(2 * timeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			pending.abandoned.set(true);
			throw new TransactionTimedOutException("The message was not stored within the commit timeout");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while storing a message", ex);
		}
	}

	private void write() {
		List<Pending> batch = new ArrayList<>();
		while (this.running || !this.queue.isEmpty()) {
			try {
				Pending first = this.queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				this.queue.drainTo(batch, this.properties.groupSize() - 1);
				batch.removeIf(GroupCommitter::settleIfLate);
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

	/** Fails a send whose sender gave up or that waited past its deadline; {@code true} if it did. */
	private static boolean settleIfLate(Pending pending) {
		if (pending.abandoned.get() || System.nanoTime() - pending.deadlineNanos > 0) {
			pending.result.completeExceptionally(
					new TransactionTimedOutException("The database did not take the message within the commit timeout"));
			return true;
		}
		return false;
	}

	private void commit(List<Pending> batch) {
		List<Outcome> outcomes;
		try {
			outcomes = this.transactions
				.execute((status) -> this.store.storeAll(batch.stream().map((pending) -> pending.request).toList()));
		}
		catch (RuntimeException shared) {
			if (batch.size() == 1 || isDatabaseFailure(shared)) {
				batch.forEach((pending) -> pending.result.completeExceptionally(shared));
				return;
			}
			log.debug("A grouped commit of {} messages failed ({}); storing them one by one", batch.size(),
					shared.toString());
			for (Pending pending : batch) {
				if (settleIfLate(pending)) {
					continue;
				}
				try {
					settle(pending, alone(pending.request));
				}
				catch (RuntimeException ex) {
					pending.result.completeExceptionally(ex);
				}
			}
			return;
		}
		this.groupSizes.record(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			settle(batch.get(i), outcomes.get(i));
		}
	}

	/** A failure of the database itself, which storing the messages one by one would only repeat. */
	private static boolean isDatabaseFailure(RuntimeException ex) {
		return ex instanceof TransientDataAccessException || ex instanceof DataAccessResourceFailureException
				|| ex instanceof RecoverableDataAccessException || ex instanceof TransactionException;
	}

	private static void settle(Pending pending, Outcome outcome) {
		if (outcome.refusal() != null) {
			pending.result.completeExceptionally(outcome.refusal());
		}
		else {
			pending.result.complete(outcome.stored());
		}
	}

	private Outcome alone(Request request) {
		Outcome outcome = this.transactions.execute((status) -> this.store.storeAll(List.of(request)).get(0));
		this.groupSizes.record(1);
		return outcome;
	}

	private static Stored unwrap(Outcome outcome) {
		if (outcome.refusal() != null) {
			throw outcome.refusal();
		}
		return outcome.stored();
	}

	@Override
	public void start() {
		this.running = true;
		for (int i = 0; i < this.properties.writers(); i++) {
			this.writers.add(Thread.ofPlatform().daemon().name("message-writer-" + i).start(this::write));
		}
	}

	/** Stops taking new work; the writers finish what is queued first. */
	@Override
	public void stop() {
		this.running = false;
		for (Thread writer : this.writers) {
			try {
				writer.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.writers.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops after the WebSocket connections are closed, so in-flight sends are stored. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

	private static final class Pending {

		final Request request;

		final long deadlineNanos;

		final CompletableFuture<Stored> result = new CompletableFuture<>();

		final AtomicBoolean abandoned = new AtomicBoolean();

		Pending(Request request, long deadlineNanos) {
			this.request = request;
			this.deadlineNanos = deadlineNanos;
		}

	}

}
