package com.marketplace.chat.fanout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-chat order, with the clock passed in: what the relay hands on, and when it must
 * read.
 */
class ChatStreamTests {

	private static final long GAP_WAIT = 200_000_000L;

	private final ChatStream<Long> stream = new ChatStream<>(GAP_WAIT);

	@Test
	void handsOnInOrderAtOnceWhenNothingIsMissing() {
		this.stream.startAfter(10);
		assertThat(this.stream.accept(11, 11L, 0)).containsExactly(11L);
		assertThat(this.stream.accept(12, 12L, 0)).containsExactly(12L);
		assertThat(this.stream.delivered()).isEqualTo(12);
		assertThat(this.stream.hasGap()).isFalse();
	}

	@Test
	void dropsRepeatsAndWhatCameBeforeTheStart() {
		this.stream.startAfter(10);
		assertThat(this.stream.accept(9, 9L, 0)).isEmpty();
		assertThat(this.stream.accept(10, 10L, 0)).isEmpty();
		assertThat(this.stream.accept(11, 11L, 0)).containsExactly(11L);
		assertThat(this.stream.accept(11, 11L, 0)).as("the same publication twice").isEmpty();
		this.stream.accept(13, 13L, 0);
		assertThat(this.stream.accept(13, 13L, 0)).as("a held one again").isEmpty();
	}

	@Test
	void handsOnNothingBeforeItStarts() {
		assertThat(this.stream.accept(1, 1L, 0)).isEmpty();
		assertThat(this.stream.isStarted()).isFalse();
		assertThat(this.stream.sweptUpTo(5, true)).isEqualTo(-1);
	}

	@Test
	void holdsWhatJumpsAheadUntilTheGapIsFilled() {
		this.stream.startAfter(0);
		assertThat(this.stream.accept(3, 3L, 0)).isEmpty();
		assertThat(this.stream.accept(2, 2L, 10)).isEmpty();
		assertThat(this.stream.hasGap()).isTrue();
		assertThat(this.stream.accept(1, 1L, 20)).containsExactly(1L, 2L, 3L);
		assertThat(this.stream.hasGap()).isFalse();
	}

	@Test
	void asksForAReadOnlyOnceTheGapHasWaitedLongEnough() {
		this.stream.startAfter(4);
		this.stream.accept(7, 7L, 1_000);
		this.stream.accept(9, 9L, 50_000_000);
		assertThat(this.stream.gapToRead(1_000 + GAP_WAIT - 1)).isEqualTo(-1);
		assertThat(this.stream.gapToRead(1_000 + GAP_WAIT)).as("everything after 4 below the last held").isEqualTo(8);
		List<Long> read = List.of(5L, 6L, 7L, 8L);
		assertThat(this.stream.acceptAll(read, Long::longValue, GAP_WAIT * 2)).containsExactly(5L, 6L, 7L, 8L, 9L);
		assertThat(this.stream.gapToRead(Long.MAX_VALUE)).isEqualTo(-1);
	}

	@Test
	void aGapThatOpensBehindAFilledOneWaitsItsOwnTime() {
		this.stream.startAfter(0);
		this.stream.accept(2, 2L, 0);
		this.stream.accept(4, 4L, 0);
		assertThat(this.stream.accept(1, 1L, 150_000_000)).containsExactly(1L, 2L);
		assertThat(this.stream.gapToRead(GAP_WAIT)).as("4 has waited only 50 ms behind the gap at 3").isEqualTo(-1);
		assertThat(this.stream.gapToRead(150_000_000 + GAP_WAIT)).isEqualTo(3);
	}

	@Test
	void aSweepReadsOnlyWhatThePreviousSweepAlreadySawCommitted() {
		this.stream.startAfter(0);
		assertThat(this.stream.sweptUpTo(3, false)).as("3 may still be on its way").isEqualTo(-1);
		this.stream.accept(1, 1L, 0);
		assertThat(this.stream.sweptUpTo(5, false)).as("committed at the previous sweep and not arrived").isEqualTo(3);
		this.stream.acceptAll(List.of(2L, 3L), Long::longValue, 0);
		assertThat(this.stream.sweptUpTo(5, false)).isEqualTo(5);
		this.stream.acceptAll(List.of(4L, 5L), Long::longValue, 0);
		assertThat(this.stream.sweptUpTo(5, false)).isEqualTo(-1);
	}

	@Test
	void aSweepWhileTheBusIsDownReadsEverythingCommitted() {
		this.stream.startAfter(0);
		assertThat(this.stream.sweptUpTo(3, true)).isEqualTo(3);
	}

	@Test
	void anyOrderAndRepeatsComeOutAsOneToNOnce() {
		Random random = new Random(42);
		for (int round = 0; round < 200; round++) {
			ChatStream<Long> shuffled = new ChatStream<>(GAP_WAIT);
			shuffled.startAfter(0);
			List<Long> arrivals = new ArrayList<>(LongStream.rangeClosed(1, 50).boxed().toList());
			for (int i = 0; i < 20; i++) {
				arrivals.add(1 + (long) random.nextInt(50));
			}
			Collections.shuffle(arrivals, random);
			List<Long> out = new ArrayList<>();
			for (long seq : arrivals) {
				out.addAll(shuffled.accept(seq, seq, 0));
			}
			assertThat(out).containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
		}
	}

}
