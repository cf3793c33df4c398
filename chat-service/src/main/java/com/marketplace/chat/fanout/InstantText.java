package com.marketplace.chat.fanout;

import java.time.Instant;

/**
 * The {@code createdAt} of a publication as text, exactly as {@link Instant#toString()}
 * writes it and {@link Instant#parse} reads it ({@code 2026-12-01T10:00:00.123456Z}), for
 * a fraction of their cost: both go through a {@code DateTimeFormatter}, and parsing
 * alone (a field map, boxed fields and a resolver for every message read) was a tenth of
 * what a replica allocated at chat-busy. Messages of one second share everything before
 * the fraction, so the text and epoch second of the last second seen are kept, one for
 * each direction, and only the fraction is written or read when the next one falls in it;
 * the JDK does the rest, and reads anything not of this shape.
 */
final class InstantText {

	/** {@code uuuu-MM-ddTHH:mm:ss}: the part of the text that names the second. */
	private static final int SECOND_LENGTH = 19;

	private static final int[] POWERS = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
			1_000_000_000 };

	private volatile Second written = Second.NONE;

	private volatile Second read = Second.NONE;

	String write(Instant instant) {
		Second second = this.written;
		if (second.epochSecond != instant.getEpochSecond()) {
			String text = instant.toString();
			if (!isSecondText(text)) {
				return text;
			}
			second = new Second(text.substring(0, SECOND_LENGTH), instant.getEpochSecond());
			this.written = second;
		}
		int nano = instant.getNano();
		if (nano == 0) {
			return second.text + 'Z';
		}
		int digits = (nano % 1_000_000 == 0) ? 3 : (nano % 1_000 == 0) ? 6 : 9;
		StringBuilder text = new StringBuilder(SECOND_LENGTH + 2 + digits).append(second.text).append('.');
		int value = nano / POWERS[9 - digits];
		for (int power = digits - 1; power >= 0; power--) {
			text.append((char) ('0' + (value / POWERS[power]) % 10));
		}
		return text.append('Z').toString();
	}

	/**
	 * @throws java.time.format.DateTimeParseException when the text is no instant
	 */
	Instant read(String text) {
		Second second = this.read;
		if (second != Second.NONE && text.regionMatches(0, second.text, 0, SECOND_LENGTH)) {
			int nano = fraction(text);
			if (nano >= 0) {
				return Instant.ofEpochSecond(second.epochSecond, nano);
			}
		}
		Instant instant = Instant.parse(text);
		// kept only where the JDK writes that second the same way (not 24:00, :60 or 't')
		if (isSecondText(text) && fraction(text) == instant.getNano()
				&& instant.toString().regionMatches(0, text, 0, SECOND_LENGTH)) {
			this.read = new Second(text.substring(0, SECOND_LENGTH), instant.getEpochSecond());
		}
		return instant;
	}

	/** A four-digit year and the separators in their places. */
	private static boolean isSecondText(String text) {
		return text.length() > SECOND_LENGTH && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
				&& text.charAt(13) == ':' && text.charAt(16) == ':';
	}

	/**
	 * The nanoseconds of {@code Z} or {@code .d…dZ} (1 to 9 digits) after the second,
	 * else -1.
	 */
	private static int fraction(String text) {
		int end = text.length() - 1;
		if (end < SECOND_LENGTH || text.charAt(end) != 'Z') {
			return -1;
		}
		if (end == SECOND_LENGTH) {
			return 0;
		}
		int digits = end - SECOND_LENGTH - 1;
		if (text.charAt(SECOND_LENGTH) != '.' || digits < 1 || digits > 9) {
			return -1;
		}
		int value = 0;
		for (int i = SECOND_LENGTH + 1; i < end; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value * POWERS[9 - digits];
	}

	private record Second(String text, long epochSecond) {

		static final Second NONE = new Second("", Long.MIN_VALUE);

	}

}
