package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.ChatState;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;
import com.marketplace.chat.message.MessageHistory;
import com.marketplace.chat.system.OffPathMeters;
import com.marketplace.chat.system.Phases;
import com.marketplace.chat.system.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This replica's side of the fan-out. For every chat with local connections it keeps a
 * subscription and a {@link ChatStream}, and hands the chat's messages to
 * {@link Delivery} in {@code seq} order with no gap and no repeat, whatever order the bus
 * brought them in. A message that arrives in order is delivered at once, on the bus's own
 * thread, with no hand-off; everything that needs MySQL runs on other threads and hands
 * its result back under the chat's lock:
 * <ul>
 * <li>a gap held for {@code chat.fanout.gap-wait} is read from MySQL;</li>
 * <li>every {@code chat.fanout.sweep-interval} the chats' {@code last_seq} and
 * participants are read, which finds a lost publication no later one revealed (a lost
 * last publication arrives within two sweep intervals), a subscription to make again, and
 * a removed participant whose removal notice was lost.</li>
 * </ul>
 * At most {@code chat.fanout.catch-up-reads} reads of missed messages run at once.
 */
@Component
public class ChatRelay implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ChatRelay.class);

	private static final int SWEEP_BATCH = 500;

	private final Fanout fanout;

	private final Delivery delivery;

	private final MessageHistory history;

	private final ChatAccess chats;

	private final FanoutProperties properties;

	private final Map<ChatKey, LocalChat> active = new ConcurrentHashMap<>();

	private final Semaphore readPermits;

	private final Object sweeping = new Object();

	/** A {@link #catchUpAll()} sweep is queued and has not started yet. */
	private final AtomicBoolean catchUpWaiting = new AtomicBoolean();

	private ExecutorService reads;

	private Ticker timer;

	private volatile boolean running;

	private final OffPathMeters.Samples held;

	private final Presence presence;

	ChatRelay(Fanout fanout, Delivery delivery, MessageHistory history, ChatAccess chats, FanoutProperties properties,
			MeterRegistry meters, OffPathMeters offPath, Presence presence) {
		this.presence = presence;
		this.held = offPath.timer(Timer.builder("chat.fanout.held")
			.description("Time a message waited on this replica for the ones before it (a gap, a read from MySQL)")
			.publishPercentileHistogram()
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(meters));
		this.fanout = fanout;
		this.delivery = delivery;
		this.history = history;
		this.chats = chats;
		this.properties = properties;
		this.readPermits = new Semaphore(properties.catchUpReads());
	}

	/**
	 * Registers local interest in a chat: the first interest subscribes this replica to
	 * the chat's channel. Then runs {@code joined} with the last {@code seq} delivered
	 * here, while no delivery to the chat's connections can happen: the place to add a
	 * connection and replay what it missed.
	 * @throws RuntimeException when the chat's counter cannot be read; the interest is
	 * dropped again
	 */
	public void join(ChatKey chat, LongConsumer joined) {
		LocalChat local;
		synchronized (this.active) {
			local = this.active.computeIfAbsent(chat, LocalChat::new);
			local.members++;
		}
		try {
			synchronized (local) {
				local.startIfNeeded();
				joined.accept(local.stream.delivered());
			}
		}
		catch (RuntimeException ex) {
			leave(chat);
			throw ex;
		}
	}

	/**
	 * Asks {@code test} with the last {@code seq} delivered here while no delivery to the
	 * chat can happen, as {@link #join} does, for a chat this replica has interest in.
	 * @return what it answered; {@code false} when this replica has no interest in the
	 * chat
	 */
	public boolean whileHolding(ChatKey chat, LongPredicate test) {
		LocalChat local = this.active.get(chat);
		if (local == null) {
			return false;
		}
		synchronized (local) {
			return !local.stopped && test.test(local.stream.delivered());
		}
	}

	/**
	 * The last {@code seq} of the chat delivered on this replica, or -1 when it has no
	 * interest in it.
	 */
	public long deliveredSeq(ChatKey chat) {
		LocalChat local = this.active.get(chat);
		if (local == null) {
			return -1;
		}
		synchronized (local) {
			return local.stopped ? -1 : local.stream.delivered();
		}
	}

	/** Drops one local interest; the last one unsubscribes this replica from the chat. */
	public void leave(ChatKey chat) {
		LocalChat gone = null;
		synchronized (this.active) {
			LocalChat local = this.active.get(chat);
			if (local != null && --local.members == 0) {
				this.active.remove(chat);
				gone = local;
			}
		}
		if (gone != null) {
			gone.stop();
		}
	}

	/**
	 * Reads every locally active chat from MySQL now: used while the bus is unhealthy and
	 * when it recovers.
	 */
	public void catchUpAll() {
		ExecutorService executor = this.reads;
		// Requests that come while one waits to start are one: the sweep it starts reads
		// everything committed by then. A shard that drops its channels asks once each.
		if (executor == null || !this.catchUpWaiting.compareAndSet(false, true)) {
			return;
		}
		try {
			executor.execute(() -> {
				this.catchUpWaiting.set(false);
				sweep(true);
			});
		}
		catch (RejectedExecutionException stopping) {
			this.catchUpWaiting.set(false);
		}
	}

	/**
	 * Reads the {@code last_seq} and participants of every locally active chat, a few
	 * hundred per query, and has each catch up on what it has not heard of: everything
	 * committed when {@code everything}, else what was committed before the previous
	 * sweep.
	 */
	private void sweep(boolean everything) {
		synchronized (this.sweeping) {
			Map<ChatKind, List<LocalChat>> byKind = new EnumMap<>(ChatKind.class);
			this.active.values()
				.forEach((local) -> byKind.computeIfAbsent(local.chat.kind(), (kind) -> new ArrayList<>()).add(local));
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
						if (state != null) {
							local.swept(state, everything);
						}
					}
				}
			});
		}
	}

	@Override
	public void start() {
		this.reads = Executors.newVirtualThreadPerTaskExecutor();
		this.timer = Ticker.start("chat-relay-timer")
			.every(this.properties.sweepInterval(), () -> this.reads.execute(() -> sweep(false)));
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.timer.close();
		this.reads.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Phases.RELAY;
	}

	/** One chat with local connections; everything in it happens under its monitor. */
	private final class LocalChat {

		private final ChatKey chat;

		private final ChatStream<Held> stream = new ChatStream<>(ChatRelay.this.properties.gapWait().toNanos());

		private int members;

		private boolean stopped;

		private Fanout.Listening listening;

		private boolean subscribing;

		private boolean gapCheckScheduled;

		/**
		 * The participants the previous sweep saw; a change closes who is no longer one.
		 */
		private Participants participantsBySweep;

		LocalChat(ChatKey chat) {
			this.chat = chat;
		}

		/**
		 * Under the monitor: the first join reads where the chat stands and subscribes.
		 */
		void startIfNeeded() {
			if (this.stream.isStarted()) {
				return;
			}
			this.stream.startAfter(ChatRelay.this.chats.state(this.chat)
				.orElseThrow(() -> new IllegalStateException(this.chat + " does not exist"))
				.lastSeq());
			subscribe();
		}

		/**
		 * Under the monitor. Subscribes without holding anything up: Redis confirms
		 * subscriptions one after another, and a burst of connections to new chats would
		 * otherwise wait for each other. What was committed before the subscription took
		 * effect is read from MySQL then; a failed one is tried again by the next sweep.
		 */
		private void subscribe() {
			if (this.stopped || this.subscribing || this.listening != null) {
				return;
			}
			this.subscribing = true;
			ChatRelay.this.fanout.listen(this.chat, this::received).whenComplete((handle, failure) -> {
				synchronized (this) {
					this.subscribing = false;
					if (failure != null) {
						log.warn("Subscribing to {} failed; delivering from the database until it succeeds: {}",
								this.chat, failure.toString());
						return;
					}
					if (this.stopped) {
						handle.close();
						return;
					}
					this.listening = handle;
				}
				// On another thread: this may run on the bus's, or inside a join.
				ChatRelay.this.reads.execute(
						() -> read(() -> ChatRelay.this.chats.state(this.chat).map(ChatState::lastSeq).orElse(-1L)));
			});
		}

		/** A notice from the bus, on its thread. */
		synchronized void received(Notice notice) {
			if (this.stopped) {
				return;
			}
			switch (notice) {
				case Notice.Removal(long userId) -> ChatRelay.this.delivery.remove(this.chat, userId);
				case Notice.Signalled(Signal.Presence presence) -> {
					if (ChatRelay.this.presence.heard(this.chat, presence)) {
						ChatRelay.this.delivery.signal(this.chat, presence);
					}
				}
				case Notice.Signalled(Signal signal) -> ChatRelay.this.delivery.signal(this.chat, signal);
				case Notice.Message(ChatMessage message, Participants participants) -> {
					long now = System.nanoTime();
					deliver(this.stream.accept(message.seq(), new Held(message, participants, now), now));
					checkGapLater();
				}
			}
		}

		private void deliver(List<Held> ready) {
			long now = System.nanoTime();
			for (Held message : ready) {
				ChatRelay.this.held.record(now - message.arrivedNanos());
				ChatRelay.this.delivery.deliverLocally(message.message(), message.participants());
			}
		}

		/** Under the monitor: looks at the gap again once it has waited long enough. */
		private void checkGapLater() {
			if (!this.stream.hasGap() || this.gapCheckScheduled || !ChatRelay.this.running) {
				return;
			}
			this.gapCheckScheduled = true;
			ChatRelay.this.timer.once(ChatRelay.this.properties.gapWait(),
					() -> ChatRelay.this.reads.execute(this::fillGap));
		}

		private void fillGap() {
			long upTo;
			synchronized (this) {
				this.gapCheckScheduled = false;
				if (this.stopped) {
					return;
				}
				upTo = this.stream.gapToRead(System.nanoTime());
				if (upTo < 0) {
					checkGapLater();
					return;
				}
			}
			long last = upTo;
			read(() -> last);
		}

		/** Under no lock: a sweep's findings. */
		void swept(ChatState state, boolean everything) {
			long upTo;
			synchronized (this) {
				if (this.stopped) {
					return;
				}
				if (!state.participants().equals(this.participantsBySweep)) {
					this.participantsBySweep = state.participants();
					ChatRelay.this.delivery.keepOnly(this.chat, state.participants());
				}
				subscribe();
				upTo = this.stream.sweptUpTo(state.lastSeq(), everything);
			}
			if (upTo >= 0) {
				ChatRelay.this.reads.execute(() -> read(() -> upTo));
			}
		}

		/**
		 * Reads from MySQL what was committed after what was delivered, up to the
		 * {@code seq} {@code upTo} answers, with the chat's participants as they are now
		 * (read after the messages, so at least as recent as the newest of them), and
		 * hands it on under the monitor.
		 */
		private void read(LongSupplier upTo) {
			long from;
			synchronized (this) {
				if (this.stopped) {
					return;
				}
				from = this.stream.delivered();
			}
			List<ChatMessage> missed;
			Participants participants;
			ChatRelay.this.readPermits.acquireUninterruptibly();
			try {
				missed = ChatRelay.this.history.bySeq(this.chat, from, upTo.getAsLong());
				participants = missed.isEmpty() ? null : ChatRelay.this.chats.participants(this.chat).orElse(null);
			}
			catch (RuntimeException ex) {
				log.warn("Reading missed messages of {} failed: {}", this.chat, ex.toString());
				return;
			}
			finally {
				ChatRelay.this.readPermits.release();
			}
			if (participants == null) {
				return;
			}
			synchronized (this) {
				if (this.stopped) {
					return;
				}
				long now = System.nanoTime();
				for (ChatMessage message : missed) {
					deliver(this.stream.accept(message.seq(), new Held(message, participants, now), now));
				}
				checkGapLater();
			}
		}

		void stop() {
			Fanout.Listening handle;
			synchronized (this) {
				this.stopped = true;
				handle = this.listening;
				this.listening = null;
			}
			if (handle != null) {
				handle.close();
			}
		}

	}

	/** A message on its way through the stream, with the participants it may go to. */
	private record Held(ChatMessage message, Participants participants, long arrivedNanos) {
	}

}
