package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.marketplace.chat.chat.ChatAccessDeniedException;
import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.message.MessageStore.Stored;
import io.micrometer.core.instrument.DistributionSummary;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Lets concurrent sends share commits. A few writer threads each take every send waiting
 * in the queue (up to {@code chat.message.group-size}) and store them in one transaction;
 * a sender returns only after that transaction has committed, so every message is still
 * stored before its ack. There is no waiting window: under light load a batch holds one
 * message; under heavy load the messages that arrived during the previous commit share
 * the next one.
 * <p>
 * Each batch locks chat rows in one global order (kind, then id), so two batches, on this
 * replica or another, cannot deadlock. If a statement fails and takes the shared
 * transaction with it, every message of the batch is stored again in a transaction of its
 * own, so one bad message never fails the others.
 */
@Component
class GroupCommitter implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

	private static final Comparator<Pending> LOCK_ORDER = Comparator.comparing((Pending pending) -> pending.chat.kind())
		.thenComparingLong((pending) -> pending.chat.id());

	private final MessageStore store;

	private final TransactionTemplate transactions;

	private final MessageProperties properties;

	private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

	private final List<Thread> writers = new ArrayList<>();

	private volatile boolean running;

	private final DistributionSummary groupSizes;

	private final EntityManager entityManager;

	GroupCommitter(MessageStore store, PlatformTransactionManager transactionManager, EntityManager entityManager,
			MessageProperties properties, MeterRegistry meters) {
		this.store = store;
		this.entityManager = entityManager;
		this.transactions = new TransactionTemplate(transactionManager);
		this.properties = properties;
		this.groupSizes = DistributionSummary.builder("chat.message.commit.group")
			.description("Messages per database commit (count = commits, sum = messages)")
			.register(meters);
	}

	/** Stores one message, sharing the commit with whatever else is being sent right now. */
	Stored store(ChatKey chat, long senderId, String content, String clientMessageId, String origin) {
		if (!this.running || this.properties.writers() == 0) {
			return this.store.store(chat, senderId, content, clientMessageId, origin);
		}
		Pending pending = new Pending(chat, senderId, content, clientMessageId, origin);
		this.queue.add(pending);
		try {
			return pending.result.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException(ex.getCause());
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
				commit(batch);
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

	private void commit(List<Pending> batch) {
		this.groupSizes.record(batch.size());
		if (batch.size() == 1) {
			alone(batch.get(0));
			return;
		}
		List<Pending> ordered = new ArrayList<>(batch);
		ordered.sort(LOCK_ORDER);
		Map<Pending, Object> outcomes = new IdentityHashMap<>();
		try {
			this.transactions.executeWithoutResult((status) -> {
				// Inserts run at once (identity ids), and a chat row already locked in this
				// batch comes back from the persistence context, so nothing needs flushing
				// before each query; the chats' new last_seq is written at commit.
				this.entityManager.setFlushMode(FlushModeType.COMMIT);
				for (Pending pending : ordered) {
					try {
						outcomes.put(pending, this.store.storeInSharedTransaction(pending.chat, pending.senderId,
								pending.content, pending.clientMessageId, pending.origin));
					}
					catch (ChatAccessDeniedException refused) {
						outcomes.put(pending, refused);
					}
				}
			});
		}
		catch (RuntimeException shared) {
			log.debug("A grouped commit of {} messages failed ({}); storing them one by one", batch.size(),
					shared.toString());
			batch.forEach(this::alone);
			return;
		}
		outcomes.forEach((pending, outcome) -> {
			if (outcome instanceof Stored stored) {
				pending.result.complete(stored);
			}
			else {
				pending.result.completeExceptionally((RuntimeException) outcome);
			}
		});
	}

	private void alone(Pending pending) {
		try {
			pending.result.complete(this.store.store(pending.chat, pending.senderId, pending.content,
					pending.clientMessageId, pending.origin));
		}
		catch (RuntimeException ex) {
			pending.result.completeExceptionally(ex);
		}
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

		final ChatKey chat;

		final long senderId;

		final String content;

		final String clientMessageId;

		final String origin;

		final CompletableFuture<Stored> result = new CompletableFuture<>();

		Pending(ChatKey chat, long senderId, String content, String clientMessageId, String origin) {
			this.chat = chat;
			this.senderId = senderId;
			this.content = content;
			this.clientMessageId = clientMessageId;
			this.origin = origin;
		}

	}

}
