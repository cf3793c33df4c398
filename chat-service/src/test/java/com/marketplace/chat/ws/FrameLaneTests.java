package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection's frames in their order, with what may wait off Tomcat's poller: plain
 * threads stand in for the poller ({@link InlineReads#asPoller}) and a latch for a slow
 * database.
 */
class FrameLaneTests {

	private final List<RuntimeException> failures = new CopyOnWriteArrayList<>();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final FrameLane lane = new FrameLane(this.closed::get, this.failures::add);

	private final List<String> done = Collections.synchronizedList(new ArrayList<>());

	private final CountDownLatch database = new CountDownLatch(1);

	private final CountDownLatch queried = new CountDownLatch(1);

	private void slowQuery(String name) {
		this.queried.countDown();
		try {
			assertThat(this.database.await(5, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.done.add(name);
	}

	@Test
	void runsAFramesWorkWhereItWasReadWhileNothingWaits() {
		AtomicReference<Thread> ranOn = new AtomicReference<>();
		InlineReads.asPoller(() -> assertThat(this.lane.run(() -> ranOn.set(Thread.currentThread()))).isTrue());
		assertThat(ranOn.get()).isSameAs(Thread.currentThread());
	}

	@Test
	void movesWorkThatMayWaitOffThePollerAndKeepsLaterFramesBehindIt() {
		AtomicReference<Thread> slowOn = new AtomicReference<>();
		AtomicReference<Thread> laterOn = new AtomicReference<>();
		InlineReads.asPoller(() -> {
			this.lane.run(() -> this.lane.blocking(() -> {
				slowOn.set(Thread.currentThread());
				slowQuery("read receipt");
			}));
			this.lane.run(() -> {
				laterOn.set(Thread.currentThread());
				this.done.add("message");
			});
		});
		assertThat(this.done).as("the poller went on without waiting for either").isEmpty();
		this.database.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == 2);
		assertThat(this.done).containsExactly("read receipt", "message");
		assertThat(slowOn.get()).isNotSameAs(Thread.currentThread()).isSameAs(laterOn.get());
		assertThat(slowOn.get().isVirtual()).isTrue();

		await("once nothing waits, frames run where they are read again").atMost(Duration.ofSeconds(5)).until(() -> {
			AtomicReference<Thread> ranOn = new AtomicReference<>();
			this.lane.run(() -> ranOn.set(Thread.currentThread()));
			return ranOn.get() == Thread.currentThread();
		});
		assertThat(this.failures).isEmpty();
	}

	@Test
	void workThatMayWaitRunsAtOnceOffThePoller() {
		AtomicReference<Thread> ranOn = new AtomicReference<>();
		this.lane.run(() -> this.lane.blocking(() -> ranOn.set(Thread.currentThread())));
		assertThat(ranOn.get()).isSameAs(Thread.currentThread());
	}

	@Test
	void workThatMayWaitBehindEarlierWorkWaitsForIt() {
		InlineReads.asPoller(() -> this.lane.blocking(() -> slowQuery("first")));
		this.lane.blocking(() -> this.done.add("second"));
		assertThat(this.done).isEmpty();
		this.database.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == 2);
		assertThat(this.done).containsExactly("first", "second");
	}

	@Test
	void refusesFramesPastTheLimitWhileEarlierOnesWaitAndLosesNoneItTook() throws InterruptedException {
		InlineReads.asPoller(() -> this.lane.blocking(() -> slowQuery("slow")));
		assertThat(this.queried.await(5, TimeUnit.SECONDS)).isTrue();
		for (int i = 0; i < FrameLane.LIMIT; i++) {
			String name = "frame " + i;
			assertThat(this.lane.run(() -> this.done.add(name))).isTrue();
		}
		assertThat(this.lane.run(() -> this.done.add("refused"))).isFalse();
		this.database.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == FrameLane.LIMIT + 1);
		assertThat(this.done).first().isEqualTo("slow");
		assertThat(this.done).doesNotContain("refused").endsWith("frame " + (FrameLane.LIMIT - 1));
		for (int i = 1; i <= FrameLane.LIMIT; i++) {
			assertThat(this.done.get(i)).isEqualTo("frame " + (i - 1));
		}
	}

	@Test
	void workFromAnotherThreadWaitsForTheFrameBeingHandled() throws Exception {
		CountDownLatch inFrame = new CountDownLatch(1);
		CountDownLatch frameMayEnd = new CountDownLatch(1);
		Thread reader = Thread.ofVirtual().start(() -> this.lane.run(() -> {
			inFrame.countDown();
			try {
				assertThat(frameMayEnd.await(5, TimeUnit.SECONDS)).isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.done.add("frame");
		}));
		assertThat(inFrame.await(5, TimeUnit.SECONDS)).isTrue();
		this.lane.blocking(() -> this.done.add("clean-up"));
		assertThat(this.done).as("the close's clean-up does not overtake the frame").isEmpty();
		frameMayEnd.countDown();
		reader.join(5000);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == 2);
		assertThat(this.done).containsExactly("frame", "clean-up");
	}

	@Test
	void workForAConnectionClosedBeforeItsTurnIsDroppedAndTheCleanUpComesAfter() {
		InlineReads.asPoller(() -> {
			this.lane.blocking(() -> slowQuery("slow"));
			this.lane.whileOpen(() -> this.done.add("read receipt"));
		});
		this.closed.set(true);
		this.lane.blocking(() -> this.done.add("clean-up"));
		this.database.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == 2);
		assertThat(this.done).containsExactly("slow", "clean-up");
	}

	@Test
	void reportsWorkThatFailsOnItsOwnThreadAndGoesOn() {
		IllegalStateException broken = new IllegalStateException("broken");
		InlineReads.asPoller(() -> {
			this.lane.blocking(() -> {
				throw broken;
			});
			this.lane.run(() -> this.done.add("after"));
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> this.done.size() == 1);
		assertThat(this.failures).containsExactly(broken);
		assertThat(this.done).containsExactly("after");
	}

}
