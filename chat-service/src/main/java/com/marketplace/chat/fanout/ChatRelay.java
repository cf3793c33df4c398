package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import com.marketplace.chat.chat.ChatAccess;
import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
import com.marketplace.chat.chat.ChatState;
import com.marketplace.chat.chat.Participants;
import com.marketplace.chat.message.MessageHistory;
import com.marketplace.chat.message.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * This replica's side of the fan-out. For every chat with local connections it keeps a
 * subscription and a delivery lane; the lane hands messages to {@link Delivery} in
 * {@code seq} order with no gap and no repeat, whatever order the bus brought them in:
 * <ul>
 * <li>a message at or below the last delivered {@code seq} is a duplicate and dropped;</li>
 * <li>one that jumps ahead is held for {@code chat.fanout.gap-wait}, then the missing
 * ones are read from MySQL;</li>
 * <li>every {@code chat.fanout.sweep-interval} the chat's {@code last_seq} is compared
 * with what was delivered, which finds a lost publication that no later one revealed.
 * A message counts as lost only when the previous sweep had already seen it committed,
 * so one still on its way through Redis is not read from MySQL as well: a lost last
 * publication arrives within two sweep intervals.</li>
 * </ul>
 * At most {@code chat.fanout.catch-up-reads} reads of missed messages run at once, so
 * catching up never takes the database connections that storing messages needs.
 */
@Component
public class ChatRelay implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ChatRelay.class);

	private final Fanout fanout;

	private final Delivery delivery;

	private final MessageHistory history;

	private final ChatAccess chats;

	private final FanoutProperties properties;

	private final Map<ChatKey, LocalChat> active = new HashMap<>();

	private final ExecutorService lanes = Executors.newVirtualThreadPerTaskExecutor();

	private final Semaphore reads;

	private final Object sweeping = new Object();

	private static final int SWEEP_BATCH = 500;

	private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

	private final ScheduledExecutorService timer = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-relay-timer").factory());

	ChatRelay(Fanout fanout, Delivery delivery, MessageHistory history, ChatAccess chats, FanoutProperties properties) {
		this.fanout = fanout;
		this.delivery = delivery;
		this.history = history;
		this.chats = chats;
		this.properties = properties;
		this.reads = new Semaphore(properties.catchUpReads());
		long sweepMillis = properties.sweepInterval().toMillis();
		this.timer.scheduleWithFixedDelay(() -> sweep(false), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Registers local interest in a chat: the first interest subscribes this replica to the
	 * chat's channel. Then runs {@code joined} inside the chat's lane with the last
	 * {@code seq} delivered here, so no delivery to the chat's connections happens while it
	 * runs: the place to add a connection and replay what it missed. Blocks until done. If
	 * the lane does not get to {@code joined} within the join timeout, the interest is
	 * dropped and {@code joined} never runs.
	 */
	public void join(ChatKey chat, LongConsumer joined) {
		LocalChat local;
		synchronized (this.active) {
			local = this.active.computeIfAbsent(chat, LocalChat::new);
			local.members++;
		}
		CompletableFuture<Void> done = new CompletableFuture<>();
		AtomicBoolean claimed = new AtomicBoolean();
		local.lane.execute(() -> {
			if (!claimed.compareAndSet(false, true)) {
				return;
			}
			try {
				local.startIfNeeded();
				joined.accept(local.delivered);
				done.complete(null);
			}
			catch (RuntimeException ex) {
				done.completeExceptionally(ex);
			}
		});
		try {
			try {
				done.get(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				if (claimed.compareAndSet(false, true)) {
					throw ex;
				}
				// The lane started it just now: it will finish, and the caller must know how.
				done.get();
			}
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			leave(chat);
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			throw new IllegalStateException("Could not start delivery for " + chat, ex);
		}
	}

	/**
	 * Runs {@code task} in the chat's lane with the last {@code seq} delivered here, as
	 * {@link #join} does, for a chat this replica already has interest in. The future fails
	 * when it has none, or when the task throws.
	 */
	public CompletableFuture<Void> inLane(ChatKey chat, LongConsumer task) {
		LocalChat local;
		synchronized (this.active) {
			local = this.active.get(chat);
		}
		CompletableFuture<Void> done = new CompletableFuture<>();
		if (local == null) {
			done.completeExceptionally(new IllegalStateException("No local interest in " + chat));
			return done;
		}
		local.lane.execute(() -> {
			try {
				task.accept(local.delivered);
				done.complete(null);
			}
			catch (RuntimeException ex) {
				done.completeExceptionally(ex);
			}
		});
		return done;
	}

	/** The last {@code seq} of the chat delivered on this replica, or -1 when it has no interest in it. */
	public long deliveredSeq(ChatKey chat) {
		synchronized (this.active) {
			LocalChat local = this.active.get(chat);
			return (local != null) ? local.delivered : -1;
		}
	}

	/** Drops one local interest; the last one unsubscribes this replica from the chat. */
	public void leave(ChatKey chat) {
		synchronized (this.active) {
			LocalChat local = this.active.get(chat);
			if (local != null && --local.members == 0) {
				this.active.remove(chat);
				local.lane.execute(local::stop);
			}
		}
	}

	/** Reads every locally active chat from MySQL now: used while the bus is unhealthy and when it recovers. */
	public void catchUpAll() {
		sweep(true);
	}

	/**
	 * Reads the {@code last_seq} of every locally active chat, a few hundred per query,
	 * and has each lane deliver what it has not heard of: everything committed when
	 * {@code now}, else what was committed before the previous sweep.
	 */
	private void sweep(boolean now) {
		synchronized (this.sweeping) {
			sweepLocked(now);
		}
	}

	private void sweepLocked(boolean now) {
		Map<ChatKind, List<LocalChat>> byKind = new EnumMap<>(ChatKind.class);
		synchronized (this.active) {
			this.active.values().forEach((local) -> byKind.computeIfAbsent(local.chat.kind(), (kind) -> new ArrayList<>()).add(local));
		}
		byKind.forEach((kind, locals) -> {
			for (int from = 0; from < locals.size(); from += SWEEP_BATCH) {
				List<LocalChat> batch = locals.subList(from, Math.min(locals.size(), from + SWEEP_BATCH));
				Map<Long, ChatState> states;
				try {
					states = this.chats.states(kind, batch.stream().map((local) -> local.chat.id()).toList());
				}
				catch (RuntimeException ex) {
					log.warn("Sweep could not read the chats' last_seq: {}", ex.toString());
					return;
				}
				for (LocalChat local : batch) {
					ChatState state = states.get(local.chat.id());
					if (state == null) {
						continue;
					}
					long due = now ? state.lastSeq() : local.seenBySweep;
					local.seenBySweep = state.lastSeq();
					// Only chats with something to do get a task: most are up to date.
					if (due > local.delivered || local.listening == null) {
						local.lane.execute(() -> local.catchUp(due));
					}
					if (!state.participants().equals(local.participantsBySweep)) {
						local.participantsBySweep = state.participants();
						local.lane.execute(() -> this.delivery.keepOnly(local.chat, state.participants()));
					}
				}
			}
		});
	}

	@Override
	public void destroy() {
		this.timer.shutdownNow();
		this.lanes.shutdownNow();
	}

	/** One chat with local connections; its fields are written only from its lane, except the sweep's. */
	private final class LocalChat {

		private final ChatKey chat;

		private final SerialLane lane = new SerialLane(ChatRelay.this.lanes);

		private final TreeMap<Long, Held> ahead = new TreeMap<>();

		private int members;

		/** Written only by the lane; volatile so that a sweep can read it without a task. */
		private volatile long delivered = -1;

		private boolean started;

		private boolean gapFillScheduled;

		/** The chat's {@code last_seq} at the previous sweep; touched only by sweeps, one at a time. */
		private long seenBySweep = -1;

		/**
		 * The chat's participants at the previous sweep; touched only by sweeps. A removal
		 * whose notice was lost closes its connections at the next sweep.
		 */
		private Participants participantsBySweep;

		/** Written only by the lane; volatile so that a sweep can read it without a task. */
		private volatile Fanout.Listening listening;

		private boolean subscribing;

		LocalChat(ChatKey chat) {
			this.chat = chat;
		}

		void startIfNeeded() {
			if (this.started) {
				return;
			}
			this.delivered = ChatRelay.this.chats.lastSeq(this.chat);
			this.started = true;
			subscribe();
		}

		/**
		 * Subscribes without holding up the lane or the handshake: Redis confirms
		 * subscriptions one after another, and a burst of connections to new chats would
		 * otherwise queue behind each other. Whatever was committed before the
		 * subscription took effect is then read from the database.
		 */
		private void subscribe() {
			if (this.subscribing || this.listening != null) {
				return;
			}
			this.subscribing = true;
			ChatRelay.this.lanes.execute(() -> {
				Fanout.Listening handle = null;
				try {
					handle = ChatRelay.this.fanout.listen(this.chat, (notice) -> this.lane.execute(() -> received(notice)));
				}
				catch (RuntimeException ex) {
					log.warn("Subscribing to {} failed; delivering from the database until it succeeds: {}", this.chat,
							ex.toString());
				}
				Fanout.Listening subscribed = handle;
				this.lane.execute(() -> subscribed(subscribed));
			});
		}

		private void subscribed(Fanout.Listening handle) {
			this.subscribing = false;
			if (handle == null) {
				return;
			}
			if (!this.started) {
				handle.close();
				return;
			}
			this.listening = handle;
			readUpTo(ChatRelay.this.chats.lastSeq(this.chat));
		}

		void received(Notice notice) {
			if (!this.started) {
				return;
			}
			switch (notice) {
				case Notice.Removal(long userId) -> ChatRelay.this.delivery.remove(this.chat, userId);
				case Notice.Message message -> received(message);
			}
		}

		private void received(Notice.Message notice) {
			StoredMessage message = notice.message();
			if (message.seq() <= this.delivered) {
				return;
			}
			this.ahead.putIfAbsent(message.seq(), new Held(message, notice.origin(), notice.participants()));
			deliverInOrder();
			if (!this.ahead.isEmpty() && !this.gapFillScheduled) {
				this.gapFillScheduled = true;
				ChatRelay.this.timer.schedule(() -> this.lane.execute(this::fillGap),
						ChatRelay.this.properties.gapWait().toMillis(), TimeUnit.MILLISECONDS);
			}
		}

		private void fillGap() {
			this.gapFillScheduled = false;
			if (this.started && !this.ahead.isEmpty()) {
				readUpTo(this.ahead.lastKey());
			}
		}

		/** Subscribes again if needed, and delivers from the database what was committed up to {@code due}. */
		void catchUp(long due) {
			if (!this.started) {
				return;
			}
			subscribe();
			readUpTo(due);
		}

		private void readUpTo(long lastSeq) {
			if (lastSeq <= this.delivered) {
				return;
			}
			List<StoredMessage> missed;
			Participants participants;
			ChatRelay.this.reads.acquireUninterruptibly();
			try {
				missed = ChatRelay.this.history.bySeq(this.chat, this.delivered, lastSeq);
				// Read after the messages, so at least as recent as the newest of them.
				participants = ChatRelay.this.chats.participants(this.chat).orElse(null);
			}
			finally {
				ChatRelay.this.reads.release();
			}
			if (participants == null) {
				return;
			}
			for (StoredMessage message : missed) {
				this.ahead.putIfAbsent(message.seq(), new Held(message, message.origin(), participants));
			}
			deliverInOrder();
		}

		private void deliverInOrder() {
			while (!this.ahead.isEmpty() && this.ahead.firstKey() <= this.delivered + 1) {
				Held next = this.ahead.pollFirstEntry().getValue();
				if (next.message().seq() == this.delivered + 1) {
					ChatRelay.this.delivery.deliverLocally(next.message(), next.origin(), next.participants());
					this.delivered = next.message().seq();
				}
			}
		}

		void stop() {
			this.started = false;
			this.ahead.clear();
			if (this.listening != null) {
				this.listening.close();
				this.listening = null;
			}
		}

	}

	private record Held(StoredMessage message, String origin, Participants participants) {
	}

}
