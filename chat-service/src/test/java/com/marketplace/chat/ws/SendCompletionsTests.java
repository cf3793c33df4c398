package com.marketplace.chat.ws;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.marketplace.chat.testing.Cluster;
import jakarta.websocket.SendHandler;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.apache.tomcat.websocket.WsSession;
import org.junit.jupiter.api.Test;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which of Tomcat's tasks {@link SendCompletions} runs on the calling thread: the
 * completion of a frame send made inside an outbox's {@code sendText}, and nothing else.
 */
class SendCompletionsTests {

	private final List<Runnable> dispatched = new ArrayList<>();

	private final SendCompletions executor = new SendCompletions(this.dispatched::add, null);

	private final AtomicReference<Thread> completedOn = new AtomicReference<>();

	/** Tomcat's own completion task, as its endpoint makes it. */
	private Runnable tomcatCompletion() throws ReflectiveOperationException {
		Class<?> type = Class.forName(SendCompletions.COMPLETION);
		Constructor<?> constructor = type.getDeclaredConstructor(WsSession.class, SendHandler.class, Throwable.class);
		constructor.setAccessible(true);
		SendHandler handler = (result) -> this.completedOn.set(Thread.currentThread());
		return (Runnable) constructor.newInstance(null, handler, null);
	}

	@Test
	void runsTheCompletionOfASendOnTheSendingThread() throws ReflectiveOperationException {
		Runnable completion = tomcatCompletion();
		SendCompletions.sending();
		try {
			this.executor.execute(completion);
		}
		finally {
			SendCompletions.sent();
		}
		assertThat(this.completedOn.get()).isSameAs(Thread.currentThread());
		assertThat(this.dispatched).isEmpty();
	}

	@Test
	void dispatchesACompletionThatComesOutsideASend() throws ReflectiveOperationException {
		Runnable completion = tomcatCompletion();
		this.executor.execute(completion);
		assertThat(this.completedOn.get()).isNull();
		assertThat(this.dispatched).containsExactly(completion);
	}

	@Test
	void dispatchesEveryOtherTaskEvenDuringASend() {
		Runnable socketEvent = () -> this.completedOn.set(Thread.currentThread());
		SendCompletions.sending();
		try {
			this.executor.execute(socketEvent);
		}
		finally {
			SendCompletions.sent();
		}
		assertThat(this.completedOn.get()).isNull();
		assertThat(this.dispatched).containsExactly(socketEvent);
	}

	@Test
	void theRunningTomcatDispatchesThroughItToItsVirtualThreads() {
		WebServerApplicationContext context = (WebServerApplicationContext) Cluster.get().a.context();
		AbstractProtocol<?> protocol = (AbstractProtocol<?>) ((TomcatWebServer) context.getWebServer()).getTomcat()
			.getConnector()
			.getProtocolHandler();
		assertThat(protocol.getExecutor()).isInstanceOfSatisfying(SendCompletions.class,
				(wrapper) -> assertThat(wrapper.container()).isInstanceOf(VirtualThreadExecutor.class));
	}

}
