package com.marketplace.chat.system;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TickerTests {

	@Test
	void aPeriodicTaskThatThrowsRunsAgainNextTime() throws InterruptedException {
		AtomicInteger runs = new AtomicInteger();
		CountDownLatch third = new CountDownLatch(3);
		try (Ticker ticker = Ticker.start("ticker-test").every(Duration.ofMillis(10), () -> {
			runs.incrementAndGet();
			third.countDown();
			throw new IllegalStateException("failed on purpose");
		})) {
			assertThat(third.await(5, TimeUnit.SECONDS)).as("ran three times despite throwing").isTrue();
		}
		int afterClose = runs.get();
		Thread.sleep(50);
		assertThat(runs.get()).as("nothing runs once closed").isLessThanOrEqualTo(afterClose + 1);
	}

}
