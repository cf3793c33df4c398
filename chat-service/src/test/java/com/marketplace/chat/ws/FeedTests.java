package com.marketplace.chat.ws;

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
		this.feed.sendStarted();
		this.feed.sendSettled(1);
		this.feed.live(message(1, ME));
		this.feed.live(message(2, ME));
		assertThat(this.sent).as("2 came from the same user's other device").containsExactly(2L);
	}

	@Test
	void holdsTheSameUsersMessagesWhileASendIsUnsettledThenDropsItsOwn() {
		this.feed.startAfter(0);
		this.feed.sendStarted();
		this.feed.live(message(1, OTHER));
		this.feed.live(message(2, ME));
		this.feed.live(message(3, OTHER));
		assertThat(this.sent).as("2 might be the unsettled send, 3 waits behind it").containsExactly(1L);
		assertThat(this.feed.waitingCount()).isEqualTo(2);
		assertThat(this.waits).as("nothing told before they leave the feed").isEmpty();
		this.feed.sendSettled(2);
		assertThat(this.sent).containsExactly(1L, 3L);
		assertThat(this.feed.waitingCount()).isZero();
		assertThat(this.waits).as("how long 2 (its own, dropped) and 3 waited")
			.hasSize(2)
			.allSatisfy((nanos) -> assertThat(nanos).isNotNegative());
	}

	@Test
	void aConnectionThatKeepsSendingGetsTheOthersMessagesAtOnce() {
		this.feed.startAfter(0);
		this.feed.sendStarted();
		this.feed.sendSettled(1);
		this.feed.sendStarted();
		this.feed.live(message(1, ME));
		this.feed.live(message(2, OTHER));
		assertThat(this.sent).as("1 is known to be its own: nothing waits behind it, though a send is unsettled")
			.containsExactly(2L);
		assertThat(this.feed.waitingCount()).isZero();
		assertThat(this.waits).as("nothing waited").isEmpty();
		this.feed.sendSettled(3);
		this.feed.sendStarted();
		this.feed.live(message(3, ME));
		this.feed.live(message(4, ME));
		this.feed.live(message(5, OTHER));
		assertThat(this.sent).as("4 might be the unsettled send: it and 5 wait").containsExactly(2L);
		this.feed.sendSettled(4);
		assertThat(this.sent).containsExactly(2L, 5L);
	}

	@Test
	void aFailedSendReleasesWhatWaitedForIt() {
		this.feed.startAfter(0);
		this.feed.sendStarted();
		this.feed.live(message(1, ME));
		this.feed.sendSettled(-1);
		assertThat(this.sent).as("not its own: the send failed").containsExactly(1L);
	}

	@Test
	void aRetryOfAnAlreadySeenMessageChangesNothing() {
		this.feed.startAfter(0);
		this.feed.live(message(1, OTHER));
		this.feed.sendStarted();
		this.feed.sendSettled(1);
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
		this.feed.sendStarted();
		this.feed.replayed(message(1, ME));
		this.feed.sendSettled(1);
		this.feed.live(message(1, ME));
		assertThat(this.sent).isEmpty();
		assertThat(this.feed.lastSeq()).isEqualTo(1);
	}

	@Test
	void twoUnsettledSendsHoldUntilBothSettled() {
		this.feed.startAfter(0);
		this.feed.sendStarted();
		this.feed.sendStarted();
		this.feed.live(message(1, ME));
		this.feed.live(message(2, ME));
		this.feed.sendSettled(1);
		assertThat(this.sent).as("2 may still be the second send").isEmpty();
		this.feed.sendSettled(2);
		assertThat(this.sent).isEmpty();
		this.feed.live(message(3, ME));
		assertThat(this.sent).containsExactly(3L);
	}

}
