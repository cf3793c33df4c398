package com.marketplace.chat.bench;

/**
 * The open-model timetable: message {@code k} (0-based) is due at
 * {@code start + k / rate}, whatever happened to the messages before it. Latency is
 * measured from this scheduled time, so a generator or server that falls behind shows up
 * as latency instead of silently sending less (coordinated omission).
 *
 * <p>
 * Which chat and which connection sends message {@code k}: chats take turns
 * ({@code k mod chats}), and within a chat its connections take turns, so every chat sees
 * the same rate and every connection sends.
 */
record Timetable(long startNanos, double ratePerSecond, long count) {

	Timetable {
		if (!(ratePerSecond > 0)) {
			throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
		}
		if (count < 0) {
			throw new IllegalArgumentException("count must not be negative: " + count);
		}
	}

	/** A timetable of {@code seconds} seconds at {@code rate} per second. */
	static Timetable of(long startNanos, double ratePerSecond, double seconds) {
		return new Timetable(startNanos, ratePerSecond, (long) Math.floor(ratePerSecond * seconds));
	}

	/** When message {@code k} is due, in {@link System#nanoTime()} terms. */
	long scheduledAt(long k) {
		return this.startNanos + (long) Math.floor(k * 1_000_000_000d / this.ratePerSecond);
	}

	/**
	 * How many messages are due at {@code now} (all with {@code scheduledAt(k) <= now}).
	 */
	long dueBy(long now) {
		if (now < this.startNanos) {
			return 0;
		}
		long due = (long) Math.floor((now - this.startNanos) * this.ratePerSecond / 1_000_000_000d) + 1;
		// Guard against floating-point rounding at the boundaries.
		while (due > 0 && scheduledAt(due - 1) > now) {
			due--;
		}
		while (scheduledAt(due) <= now && due < this.count) {
			due++;
		}
		return Math.min(due, this.count);
	}

	/** When the last message is due; the end of the sending phase. */
	long endNanos() {
		return scheduledAt(this.count);
	}

	static int chatOf(long k, int chats) {
		return (int) (k % chats);
	}

	static int senderOf(long k, int chats, int connectionsPerChat) {
		return (int) ((k / chats) % connectionsPerChat);
	}

}
