package com.marketplace.chat.ws;

import java.util.concurrent.Executor;

/**
 * Tomcat's executor, except for the completion of a frame send that finished inside the
 * call that sent it. Tomcat hands every asynchronous send's completion to its executor,
 * even when the socket took the whole frame at once: with virtual threads that is a new
 * thread started and scheduled per frame per connection (profiled at chat-busy: 3% of the
 * replicas' CPU in the hand-off itself, more in waking carriers), where the completion
 * only marks the outbox free. While an {@link Outbox} is inside its {@code sendText},
 * such a completion (Tomcat's {@value #COMPLETION}, nothing else) runs on the sending
 * thread instead, as Tomcat's own blocking send does; the outbox is written for a
 * completion that runs inside the call, and never sends from one, so nothing nests. A
 * write the socket could not take at once completes later on Tomcat's poller and goes to
 * the executor as before, which is what keeps a slow reader off the delivering thread. A
 * read of a chat connection may run on the calling thread too, Tomcat's poller
 * ({@link InlineReads}). Should a Tomcat release rename that class, every completion goes
 * to the executor again (slower, no less correct); a test names it.
 */
final class SendCompletions implements Executor {

	static final String COMPLETION = "org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable";

	/**
	 * Set and cleared around every frame, never removed: removing the entry would make
	 * the next send allocate a new one.
	 */
	private static final ThreadLocal<Boolean> SENDING = ThreadLocal.withInitial(() -> Boolean.FALSE);

	private static final Class<?> COMPLETION_CLASS = completionClass();

	private final Executor container;

	private final InlineReads reads;

	/**
	 * @param reads runs those reads of chat connections that may run on the poller
	 */
	SendCompletions(Executor container, InlineReads reads) {
		this.container = container;
		this.reads = reads;
	}

	/** Marks the current thread as inside a frame send until {@link #sent()}. */
	static void sending() {
		SENDING.set(Boolean.TRUE);
	}

	static void sent() {
		SENDING.set(Boolean.FALSE);
	}

	private static Class<?> completionClass() {
		try {
			return Class.forName(COMPLETION, false, SendCompletions.class.getClassLoader());
		}
		catch (ClassNotFoundException renamed) {
			return Void.class;
		}
	}

	Executor container() {
		return this.container;
	}

	@Override
	public void execute(Runnable task) {
		if (task.getClass() == COMPLETION_CLASS && SENDING.get()) {
			task.run();
		}
		else if (this.reads == null || !this.reads.tryRun(task)) {
			this.container.execute(task);
		}
	}

}
