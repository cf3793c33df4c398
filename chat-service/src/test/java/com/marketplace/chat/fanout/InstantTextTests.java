package com.marketplace.chat.fanout;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The instants of publications, written and read as the JDK writes and reads them. */
class InstantTextTests {

	private final InstantText text = new InstantText();

	private final SplittableRandom random = new SplittableRandom(20261201);

	@Test
	void writesWhatInstantToStringWritesAndReadsItBack() {
		long start = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
		long end = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
		for (int i = 0; i < 20_000; i++) {
			Instant instant = Instant.ofEpochSecond(this.random.nextLong(start, end + 1), nanos());
			String written = this.text.write(instant);
			assertThat(written).as("written").isEqualTo(instant.toString());
			assertThat(this.text.read(written)).as(written).isEqualTo(instant);
		}
	}

	@Test
	void messagesOfOneSecondShareItAndTheNextSecondIsNotMistakenForIt() {
		Instant second = Instant.parse("2026-12-01T10:00:59Z");
		for (int i = 0; i < 1_000; i++) {
			Instant instant = second.plusNanos(nanos());
			assertThat(this.text.write(instant)).isEqualTo(instant.toString());
			assertThat(this.text.read(instant.toString())).isEqualTo(instant);
		}
		for (String next : new String[] { "2026-12-01T10:01:00Z", "2026-12-01T10:01:00.5Z", "2026-12-01T10:00:58.1Z",
				"2027-12-01T10:00:59.1Z", "2026-12-01T10:00:59.000000001Z" }) {
			assertThat(this.text.read(next)).as(next).isEqualTo(Instant.parse(next));
		}
		assertThat(this.text.write(Instant.parse("2026-12-01T10:01:00.25Z"))).isEqualTo("2026-12-01T10:01:00.250Z");
	}

	@Test
	void readsWhatTheJdkReadsInAnyOtherShape() {
		this.text.read("2026-12-01T10:00:00.1Z");
		for (String other : new String[] { "2026-12-01T10:00:00+01:00", "2026-12-01T10:00:00.5+01:00",
				"2026-12-01T10:00:00.123z", "2026-12-01T10:00:00.Z", "2026-12-01T24:00:00Z", "+12026-12-01T10:00:00Z",
				"-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2016-12-31T23:59:60Z", "2026-12-01t10:00:00.7Z" }) {
			assertThat(this.text.read(other)).as(other).isEqualTo(Instant.parse(other));
		}
		for (Instant far : new Instant[] { Instant.MAX, Instant.MIN, Instant.parse("-0001-01-01T00:00:00.5Z") }) {
			assertThat(this.text.write(far)).isEqualTo(far.toString());
			assertThat(this.text.read(far.toString())).isEqualTo(far);
		}
	}

	@Test
	void refusesWhatIsNoInstantEvenAfterItsSecond() {
		this.text.read("2026-12-01T10:00:00.1Z");
		this.text.read("2026-12-01T24:00:00Z");
		assertThatThrownBy(() -> this.text.read("2026-12-01T24:00:00.5Z")).isInstanceOf(DateTimeParseException.class);
		for (String bad : new String[] { "2026-12-01T10:00:00.12aZ", "2026-12-01T10:00:00.1234567891Z",
				"2026-12-01T10:00Z", "2026-12-01T10:00:00", "2026-12-01T10:00:00.1", "2026-12-01T10:00:00X",
				"2026-13-01T10:00:00Z", "", "now" }) {
			assertThatThrownBy(() -> this.text.read(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
		}
	}

	/**
	 * Whole seconds, milliseconds, microseconds or nanoseconds, as stored rows have them.
	 */
	private int nanos() {
		return switch (this.random.nextInt(4)) {
			case 0 -> 0;
			case 1 -> this.random.nextInt(1000) * 1_000_000;
			case 2 -> this.random.nextInt(1_000_000) * 1_000;
			default -> this.random.nextInt(1_000_000_000);
		};
	}

}
