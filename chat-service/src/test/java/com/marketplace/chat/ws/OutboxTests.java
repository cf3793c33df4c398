package com.marketplace.chat.ws;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import com.marketplace.chat.system.OffPathMeters;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One connection's send queue against a fake container endpoint whose writes complete
 * when the test says: the hold that lets a read run on Tomcat's poller
 * ({@link InlineReads}) and the one write at a time.
 */
class OutboxTests {

	private static final SendResult OK = new SendResult((Session) null);

	private final List<String> written = new ArrayList<>();

	private final List<SendHandler> unfinished = new ArrayList<>();

	private final List<String> overflows = new ArrayList<>();

	private boolean socketTakesAll = true;

	private final RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
			getClass().getClassLoader(), new Class<?>[] { RemoteEndpoint.Async.class }, (proxy, method, args) -> {
				if (!method.getName().equals("sendText") || args.length != 2) {
					throw new UnsupportedOperationException(method.getName());
				}
				this.written.add((String) args[0]);
				SendHandler handler = (SendHandler) args[1];
				if (this.socketTakesAll) {
					handler.onResult(OK);
				}
				else {
					this.unfinished.add(handler);
				}
				return null;
			});

	private final Outbox outbox = new Outbox(this.remote, 64, this.overflows::add,
			new OffPathMeters().timer(Timer.builder("test.outbox.wait").register(new SimpleMeterRegistry())));

	@Test
	void framesOfferedDuringAHoldWaitForItsEndAndKeepTheirOrder() {
		assertThat(this.outbox.tryHold()).isTrue();
		assertThat(this.outbox.offer("one")).isTrue();
		assertThat(this.outbox.offer("two")).isTrue();
		assertThat(this.written).as("nothing is written to a held socket").isEmpty();
		assertThat(this.outbox.tryHold()).as("one hold at a time").isFalse();
		this.outbox.release();
		assertThat(this.written).containsExactly("one", "two");
		assertThat(this.outbox.queuedChars()).isZero();
		assertThat(this.outbox.tryHold()).as("free again once written").isTrue();
	}

	@Test
	void cannotBeHeldWhileAWriteWaitsForTheSocket() {
		this.socketTakesAll = false;
		this.outbox.offer("one");
		this.outbox.offer("two");
		assertThat(this.written).containsExactly("one");
		assertThat(this.outbox.tryHold()).as("a write is under way").isFalse();
		this.unfinished.remove(0).onResult(OK);
		assertThat(this.written).containsExactly("one", "two");
		assertThat(this.outbox.tryHold()).as("the second write is under way").isFalse();
		this.unfinished.remove(0).onResult(OK);
		assertThat(this.outbox.tryHold()).isTrue();
	}

	@Test
	void aFailedOutboxIsNeverHeld() {
		assertThat(this.outbox.offer("x".repeat(40))).as("past the limit of 32 characters").isFalse();
		assertThat(this.overflows).containsExactly("send buffer full");
		assertThat(this.outbox.tryHold()).isFalse();
		assertThat(this.outbox.offer("late")).isFalse();
		assertThat(this.written).isEmpty();
	}

}
