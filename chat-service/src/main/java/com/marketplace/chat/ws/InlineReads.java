package com.marketplace.chat.ws;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.marketplace.chat.system.Phases;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.Session;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketProcessorBase;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.websocket.WsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Reads a chat connection's frames on Tomcat's poller, where they arrive, instead of a
 * new virtual thread per read. A read only parses frames and hands work on (to the
 * writers, to an outbox, to the connection's {@link FrameLane} for what may wait), so
 * starting and scheduling a thread for it cost more than the read itself: measured at
 * chat-busy, 12% of the replicas' CPU.
 * <p>
 * Whatever runs on the poller holds up every connection of the replica, so a read runs
 * there only when it cannot wait and cannot last:
 * <ul>
 * <li>Tomcat answers a client's ping and close with blocking writes, which on the poller
 * would wait for the poller itself when the client's socket is full. A read runs there
 * only while its connection's {@link Outbox} is held: nothing is being written to that
 * socket, frames sent meanwhile wait in the outbox until the read ends, and Tomcat's own
 * writes of that read give up after {@link #POLLER_BLOCKING_SEND_MILLIS} (Tomcat then
 * closes the connection, its close frame bounded at 50 ms more: its client stopped
 * reading) instead of its 20 s. A read whose outbox is writing (the client may not be
 * reading) goes to a virtual thread, and so does one while the service writes a blocking
 * frame of its own (a ping, a close), which holds the outbox meanwhile.</li>
 * <li>Tomcat goes on reading while data keeps coming, and pings never reach the handler's
 * rate limit: a client that floods would keep the poller. A watch looks at the read on
 * the poller every {@link #WATCH_PERIOD}; one that has run longer than
 * {@link #READ_BUDGET} is suspended, and that connection is read on virtual threads from
 * then on.</li>
 * </ul>
 * With {@code chat.ws.inline-reads=false}, or should a Tomcat release change the fields
 * read here, every read goes to a virtual thread: slower, no less correct; a test counts
 * inline reads.
 */
@Component
class InlineReads implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(InlineReads.class);

	/** Tomcat's session property for the timeout of its blocking writes. */
	static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/**
	 * How long a write of Tomcat's own (a pong, a close reply) may wait on the poller: a
	 * socket with room takes it at once; one without is a client that stopped reading.
	 */
	static final long POLLER_BLOCKING_SEND_MILLIS = 100;

	/** The longest one read may keep the poller before its connection leaves it. */
	static final Duration READ_BUDGET = Duration.ofMillis(10);

	/**
	 * How often the watch looks: a read is suspended 10 to 20 ms after it began. Every
	 * look is a wake-up of its own (profiled at chat-busy with a 5 ms period: 1.9% of a
	 * replica's CPU, most of it the kernel switching to the watch and back).
	 */
	static final Duration WATCH_PERIOD = Duration.ofMillis(10);

	private static final Long POLLER_TIMEOUT = POLLER_BLOCKING_SEND_MILLIS;

	private static final ThreadLocal<Boolean> ON_POLLER = ThreadLocal.withInitial(() -> Boolean.FALSE);

	private static final Fields FIELDS = Fields.find();

	private final Map<Object, Reader> readers = new ConcurrentHashMap<>();

	private final boolean enabled;

	private final Counter inline;

	private final Counter evicted;

	/** The read on the poller now, since when and on which thread (written before it). */
	private volatile Reader running;

	private volatile long runningSince;

	private volatile Thread watch;

	private volatile Thread runningOn;

	InlineReads(WsProperties properties, MeterRegistry meters) {
		this.enabled = properties.inlineReads() && FIELDS != null;
		this.inline = Counter.builder("chat.ws.inline.reads")
			.description("Reads of chat connections run on Tomcat's poller instead of a new thread")
			.register(meters);
		this.evicted = Counter.builder("chat.ws.inline.evicted")
			.description("Connections whose read kept Tomcat's poller too long, read on virtual threads since")
			.register(meters);
	}

	/** Whether this thread runs a connection's read for Tomcat's poller now. */
	static boolean onPoller() {
		return ON_POLLER.get();
	}

	/** Runs a read as the poller does: {@link #onPoller()} holds while it runs. */
	static void asPoller(Runnable read) {
		ON_POLLER.set(Boolean.TRUE);
		try {
			read.run();
		}
		finally {
			ON_POLLER.set(Boolean.FALSE);
		}
	}

	/**
	 * Lets the connection's reads run on the poller while its outbox can be held.
	 * @return what {@link #remove} takes when it closes
	 */
	Object add(Session container, Outbox outbox) {
		if (!this.enabled || !(container instanceof WsSession session)) {
			return null;
		}
		Object wrapper = FIELDS.wrapperOf(session);
		if (wrapper == null) {
			return null;
		}
		this.readers.put(wrapper, new Reader(outbox, session));
		if (!session.isOpen()) {
			// Closed before it was added: its close found nothing to remove.
			this.readers.remove(wrapper);
			return null;
		}
		return wrapper;
	}

	void remove(Object handle) {
		if (handle != null) {
			this.readers.remove(handle);
		}
	}

	/**
	 * Runs the task here if it is a read of a connection that may be read inline now:
	 * only on Tomcat's own (platform) threads, never on a virtual thread that resumes a
	 * read.
	 * @return whether it ran
	 */
	boolean tryRun(Runnable task) {
		if (this.watch == null || !(task instanceof SocketProcessorBase<?> processor)
				|| FIELDS.event(processor) != SocketEvent.OPEN_READ || Thread.currentThread().isVirtual()) {
			return false;
		}
		SocketWrapperBase<?> wrapper = FIELDS.wrapper(processor);
		Reader reader = (wrapper != null) ? this.readers.get(wrapper) : null;
		if (reader == null || reader.evicted || wrapper.getLock().isLocked() || !reader.outbox.tryHold()) {
			return false;
		}
		Map<String, Object> properties = reader.session.getUserProperties();
		properties.put(BLOCKING_SEND_TIMEOUT, POLLER_TIMEOUT);
		this.runningSince = System.nanoTime();
		this.runningOn = Thread.currentThread();
		this.running = reader;
		try {
			asPoller(task);
		}
		finally {
			this.running = null;
			properties.remove(BLOCKING_SEND_TIMEOUT);
			reader.outbox.release();
			this.inline.increment();
			if (reader.suspended.get()) {
				resume(reader);
			}
		}
		return true;
	}

	/**
	 * Suspends a read that has kept the poller past the budget; it goes on on a virtual
	 * thread once it has returned, and so do the connection's later reads.
	 */
	void watchOnce() {
		Reader reader = this.running;
		long since = this.runningSince;
		if (reader == null || reader.evicted || System.nanoTime() - since < READ_BUDGET.toNanos()) {
			return;
		}
		// Waiting, on the poller, can only be one of Tomcat's own writes: it gives up in
		// POLLER_BLOCKING_SEND_MILLIS and closes the connection.
		Thread thread = this.runningOn;
		if (thread != null && thread.getState() == Thread.State.TIMED_WAITING) {
			return;
		}
		reader.evicted = true;
		this.evicted.increment();
		log.info("Reading {} on virtual threads from now on: one of its reads kept Tomcat's poller over {} ms",
				reader.session.getId(), READ_BUDGET.toMillis());
		reader.session.suspend();
		reader.suspended.set(true);
		// Whichever of this and the read's end sees the other resumes it, once.
		if (this.running != reader) {
			resume(reader);
		}
	}

	private void resume(Reader reader) {
		if (reader.suspended.compareAndSet(true, false)) {
			Thread.ofVirtual().name("inline-read-resume").start(reader.session::resume);
		}
	}

	@Override
	public void start() {
		if (!this.enabled || this.watch != null) {
			return;
		}
		this.watch = Thread.ofPlatform().daemon().name("inline-read-watch").start(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				try {
					Thread.sleep(WATCH_PERIOD);
				}
				catch (InterruptedException ex) {
					return;
				}
				watchOnce();
			}
		});
	}

	@Override
	public void stop() {
		Thread watching = this.watch;
		this.watch = null;
		if (watching != null) {
			watching.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.watch != null;
	}

	@Override
	public int getPhase() {
		return Phases.INLINE_READS;
	}

	/** A connection that may be read on the poller. */
	private static final class Reader {

		final Outbox outbox;

		final WsSession session;

		/** Read on virtual threads only, from now on. */
		volatile boolean evicted;

		/** Suspended by the watch and not resumed yet. */
		final AtomicBoolean suspended = new AtomicBoolean();

		Reader(Outbox outbox, WsSession session) {
			this.outbox = outbox;
			this.session = session;
		}

	}

	/**
	 * Tomcat's fields this reads: which socket and event a task is for, and a session's
	 * socket.
	 */
	private record Fields(VarHandle taskWrapper, VarHandle taskEvent, VarHandle sessionRemote, Class<?> remote,
			VarHandle remoteWrapper) {

		static Fields find() {
			try {
				Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase");
				Class<?> remote = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer");
				MethodHandles.Lookup tasks = MethodHandles.privateLookupIn(SocketProcessorBase.class,
						MethodHandles.lookup());
				return new Fields(
						tasks.findVarHandle(SocketProcessorBase.class, "socketWrapper", SocketWrapperBase.class),
						tasks.findVarHandle(SocketProcessorBase.class, "event", SocketEvent.class),
						MethodHandles.privateLookupIn(WsSession.class, MethodHandles.lookup())
							.findVarHandle(WsSession.class, "wsRemoteEndpoint", remoteBase),
						remote, MethodHandles.privateLookupIn(remote, MethodHandles.lookup())
							.findVarHandle(remote, "socketWrapper", SocketWrapperBase.class));
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				log.warn("Reads stay on Tomcat's executor: its fields are not as expected ({})", ex.toString());
				return null;
			}
		}

		SocketWrapperBase<?> wrapper(SocketProcessorBase<?> processor) {
			return (SocketWrapperBase<?>) this.taskWrapper.get(processor);
		}

		SocketEvent event(SocketProcessorBase<?> processor) {
			return (SocketEvent) this.taskEvent.get(processor);
		}

		/** The socket of a server session; null for a client's. */
		Object wrapperOf(WsSession session) {
			Object remote = this.sessionRemote.get(session);
			return this.remote.isInstance(remote) ? this.remoteWrapper.get(this.remote.cast(remote)) : null;
		}

	}

}
