package com.marketplace.chat.ws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one connection is given: each message once, in order, never its own, however it
 * came.
 */
class FeedTests {

	private static final long ME = 7;

	private static final long OTHER = 8;

	private final List<Long> sent = new ArrayList<>();

	private final List<Long> waits = new ArrayList<>();

	private final Feed feed = new Feed(ME, (message) -> this.sent.add(message.seq()), this.waits::add);

	private final ArrayDeque<Long> tickets = new ArrayDeque<>();

	/** Starts a send; {@link #settle} settles the oldest unsettled one. */
	private void start() {
		this.tickets.add(this.feed.sendStarted());
	}

	private void settle(long seq) {
		this.feed.sendSettled(this.tickets.remove(), seq);
	}

	private static Feed.Outgoing message(long seq, long sender) {
		return new Feed.Outgoing(seq, sender, () -> "frame " + seq);
	}

	@Test
	void passesOthersMessagesOnceInOrder() {
		this.feed.startAfter(3);
		this.feed.live(message(3, OTHER));
		this.feed.live(message(4, OTHER));
		this.feed.live(message(4, OTHER));
		this.feed.replayed(message(5, OTHER));
		this.feed.live(message(5, OTHER));
		assertThat(this.sent).containsExactly(4L, 5L);
		assertThat(this.feed.lastSeq()).isEqualTo(5);
	}

	@Test
	void neverEchoesAMessageTheConnectionSentWhenItsSeqIsKnownFirst() {
		this.feed.startAfter(0);
		start();
		settle(1);
		this.feed.live(message(1, ME));
		this.feed.live(message(2, ME));
		assertThat(this.sent).as("2 came from the same user's other device").containsExactly(2L);
	}

	@Test
	void holdsTheSameUsersMessagesWhileASendIsUnsettledThenDropsItsOwn() {
		this.feed.startAfter(0);
		start();
		this.feed.live(message(1, OTHER));
		this.feed.live(message(2, ME));
		this.feed.live(message(3, OTHER));
		assertThat(this.sent).as("2 might be the unsettled send, 3 waits behind it").containsExactly(1L);
		assertThat(this.feed.waitingCount()).isEqualTo(2);
		assertThat(this.waits).as("nothing told before they leave the feed").isEmpty();
		settle(2);
		assertThat(this.sent).containsExactly(1L, 3L);
		assertThat(this.feed.waitingCount()).isZero();
		assertThat(this.waits).as("told for 3 only: 2 was its own and never sent").hasSize(1);
	}

	@Test
	void aConnectionThatKeepsSendingGetsTheOthersMessagesAtOnce() {
		this.feed.startAfter(0);
		start();
		settle(1);
		start();
		this.feed.live(message(1, ME));
		this.feed.live(message(2, OTHER));
		assertThat(this.sent).as("1 is known to be its own: nothing waits behind it, though a send is unsettled")
			.containsExactly(2L);
		assertThat(this.feed.waitingCount()).isZero();
		settle(3);
		start();
		this.feed.live(message(3, ME));
		this.feed.live(message(4, ME));
		this.feed.live(message(5, OTHER));
		assertThat(this.sent).as("4 might be the unsettled send: it and 5 wait").containsExactly(2L);
		assertThat(this.feed.waitingCount()).as("3 was known and went at once").isEqualTo(2);
		settle(4);
		assertThat(this.sent).containsExactly(2L, 5L);
	}

	@Test
	void theSameUsersOtherDeviceWaitsOnlyForTheSendsStartedBeforeItCame() {
		this.feed.startAfter(0);
		long first = this.feed.sendStarted();
		this.feed.live(message(1, ME));
		this.feed.live(message(2, OTHER));
		long second = this.feed.sendStarted();
		assertThat(this.feed.waitingCount()).as("1 might be the first send's").isEqualTo(2);
		this.feed.sendSettled(first, 3);
		assertThat(this.sent).as("the first send was 3, and the second began after 1 came: 1 is another device's")
			.containsExactly(1L, 2L);
		assertThat(this.waits).hasSize(2);
		this.feed.live(message(3, ME));
		this.feed.sendSettled(second, 4);
		this.feed.live(message(4, ME));
		assertThat(this.sent).as("its own never").containsExactly(1L, 2L);
	}

	@Test
	void sendsSettlingOutOfOrderHoldOnlyWhileAnEarlierOneIsOpen() {
		this.feed.startAfter(0);
		long first = this.feed.sendStarted();
		long second = this.feed.sendStarted();
		this.feed.live(message(1, ME));
		this.feed.sendSettled(second, 2);
		assertThat(this.sent).as("the first send may still be 1").isEmpty();
		this.feed.sendSettled(first, -1);
		assertThat(this.sent).as("the first failed: 1 is another device's").containsExactly(1L);
		this.feed.live(message(2, ME));
		assertThat(this.sent).containsExactly(1L);
	}

	@Test
	void aKnownEchoStillQueuesBehindWhatWaits() {
		this.feed.startAfter(0);
		long open = this.feed.sendStarted();
		this.feed.live(message(2, ME));
		this.feed.live(message(3, OTHER));
		long quick = this.feed.sendStarted();
		this.feed.sendSettled(quick, 4);
		this.feed.live(message(4, ME));
		assertThat(this.feed.waitingCount()).as("4 is known, yet it must not pass 2 and 3").isEqualTo(3);
		assertThat(this.feed.lastSeq()).isZero();
		this.feed.sendSettled(open, -1);
		assertThat(this.sent).containsExactly(2L, 3L);
		assertThat(this.feed.lastSeq()).isEqualTo(4);
	}

	@Test
	void aReplayGoesOnAfterWhatWaitsAndItsCopiesAreNotQueuedAgain() {
		this.feed.startAfter(0);
		this.feed.replaying(true);
		start();
		this.feed.replayed(message(1, ME));
		this.feed.replayed(message(2, OTHER));
		assertThat(this.feed.lastSeq()).isZero();
		assertThat(this.feed.takenSeq()).as("the replay goes on after 2, not from 0 again").isEqualTo(2);
		this.feed.replayed(message(1, ME));
		this.feed.replayed(message(2, OTHER));
		assertThat(this.feed.waitingCount()).as("a page read again adds nothing").isEqualTo(2);
		this.feed.replayed(message(3, OTHER));
		settle(-1);
		assertThat(this.sent).containsExactly(1L, 2L, 3L);
		assertThat(this.feed.takenSeq()).isEqualTo(3);
	}

	@Test
	void aFailedSendReleasesWhatWaitedForIt() {
		this.feed.startAfter(0);
		start();
		this.feed.live(message(1, ME));
		settle(-1);
		assertThat(this.sent).as("not its own: the send failed").containsExactly(1L);
	}

	@Test
	void aRetryOfAnAlreadySeenMessageChangesNothing() {
		this.feed.startAfter(0);
		this.feed.live(message(1, OTHER));
		start();
		settle(1);
		this.feed.live(message(2, OTHER));
		assertThat(this.sent).containsExactly(1L, 2L);
	}

	@Test
	void leavesLiveMessagesToAReplayUntilItCaughtUp() {
		this.feed.startAfter(0);
		this.feed.replaying(true);
		this.feed.live(message(1, OTHER));
		this.feed.replayed(message(1, OTHER));
		this.feed.replayed(message(2, OTHER));
		this.feed.replaying(false);
		this.feed.live(message(2, OTHER));
		this.feed.live(message(3, OTHER));
		assertThat(this.sent).containsExactly(1L, 2L, 3L);
	}

	@Test
	void anOwnMessageReadBackForAResumeIsNotEchoedEither() {
		this.feed.startAfter(0);
		start();
		this.feed.replayed(message(1, ME));
		settle(1);
		this.feed.live(message(1, ME));
		assertThat(this.sent).isEmpty();
		assertThat(this.feed.lastSeq()).isEqualTo(1);
	}

	@Test
	void twoUnsettledSendsHoldUntilBothSettled() {
		this.feed.startAfter(0);
		start();
		start();
		this.feed.live(message(1, ME));
		this.feed.live(message(2, ME));
		settle(1);
		assertThat(this.sent).as("2 may still be the second send").isEmpty();
		assertThat(this.feed.waitingCount()).as("1 dropped as its own").isEqualTo(1);
		settle(2);
		assertThat(this.sent).isEmpty();
		this.feed.live(message(3, ME));
		assertThat(this.sent).containsExactly(3L);
	}

}
