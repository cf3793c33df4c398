package com.marketplace.chat.ws;

/**
 * A token bucket per connection: {@code burst} frames at once, refilled at {@code rate}
 * per second. Counts refusals in a row, so sustained flooding can be told from a burst.
 * Used from the connection's own message thread only.
 */
final class RateLimiter {

	private final double ratePerNano;

	private final int burst;

	private double tokens;

	private long refilledAt = System.nanoTime();

	private int refusedInARow;

	RateLimiter(double perSecond, int burst) {
		this.ratePerNano = perSecond / 1_000_000_000d;
		this.burst = burst;
		this.tokens = burst;
	}

	/** Takes one token; {@code false} when the bucket is empty. */
	boolean tryAcquire() {
		long now = System.nanoTime();
		this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.ratePerNano);
		this.refilledAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			this.refusedInARow = 0;
			return true;
		}
		this.refusedInARow++;
		return false;
	}

	int refusedInARow() {
		return this.refusedInARow;
	}

}
