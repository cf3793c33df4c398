package com.marketplace.chat.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerTests {

	/** Two chats of three connections: 0,1,2 and 3,4,5. */
	private final Ledger ledger = new Ledger(6, 3);

	@Test
	void everyDeliveryOnceIsClean() {
		this.ledger.sent(0, 0, 100);
		this.ledger.acked(0, 0, 1);
		assertEquals(Ledger.Outcome.FIRST, this.ledger.delivered(1, 0, 0, 1));
		assertEquals(Ledger.Outcome.FIRST, this.ledger.delivered(2, 0, 0, 1));
		this.ledger.sent(1, 0, 200);
		this.ledger.acked(1, 0, 2);
		this.ledger.delivered(0, 1, 0, 2);
		this.ledger.delivered(2, 1, 0, 2);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(2, summary.sent());
		assertEquals(4, summary.expectedDeliveries());
		assertEquals(4, summary.deliveries());
		assertEquals(0, summary.lost());
		assertTrue(summary.clean(), summary.toString());
		assertEquals(0, this.ledger.missing());
	}

	@Test
	void missingDeliveryWithNothingAfterItIsOutstanding() {
		this.ledger.sent(0, 0, 100);
		this.ledger.acked(0, 0, 1);
		this.ledger.delivered(1, 0, 0, 1);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(0, summary.lost());
		assertEquals(1, summary.outstanding());
		assertEquals(1, summary.lostMessages());
		assertFalse(summary.clean());
	}

	@Test
	void missingDeliveryBeforeALaterOneIsLost() {
		// connection 2 misses seq 1 but receives seq 2: a hole that will never fill.
		this.ledger.sent(0, 0, 100);
		this.ledger.sent(0, 1, 200);
		this.ledger.acked(0, 0, 1);
		this.ledger.acked(0, 1, 2);
		this.ledger.delivered(1, 0, 0, 1);
		this.ledger.delivered(1, 0, 1, 2);
		this.ledger.delivered(2, 0, 1, 2);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(1, summary.lost());
		assertEquals(0, summary.outstanding());
		assertEquals(0, summary.outOfOrder());
		assertFalse(summary.clean());
	}

	@Test
	void messageNeverAckedNorDeliveredIsOutstandingEverywhere() {
		this.ledger.sent(3, 0, 100);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(2, summary.outstanding());
		assertEquals(0, summary.lost());
		assertEquals(1, summary.unacked());
		assertFalse(summary.clean());
	}

	@Test
	void sameMessageTwiceOnOneConnectionIsDuplicate() {
		this.ledger.sent(0, 0, 100);
		this.ledger.acked(0, 0, 1);
		this.ledger.delivered(1, 0, 0, 1);
		assertEquals(Ledger.Outcome.DUPLICATE, this.ledger.delivered(1, 0, 0, 1));
		this.ledger.delivered(2, 0, 0, 1);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(1, summary.duplicates());
		assertEquals(0, summary.lost());
		assertEquals(0, summary.outOfOrder());
		assertFalse(summary.clean());
	}

	@Test
	void lowerSeqAfterHigherIsOutOfOrder() {
		this.ledger.sent(0, 0, 100);
		this.ledger.sent(0, 1, 200);
		this.ledger.acked(0, 0, 1);
		this.ledger.acked(0, 1, 2);
		this.ledger.delivered(1, 0, 1, 2);
		this.ledger.delivered(1, 0, 0, 1);
		this.ledger.delivered(2, 0, 0, 1);
		this.ledger.delivered(2, 0, 1, 2);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(1, summary.outOfOrder());
		assertEquals(0, summary.lost());
		assertEquals(0, summary.duplicates());
	}

	@Test
	void ownMessagesLeaveGapsThatAreNotOutOfOrder() {
		// connection 1 sends seq 2; it receives 1 and 3 only.
		this.ledger.sent(0, 0, 1);
		this.ledger.sent(1, 0, 2);
		this.ledger.sent(2, 0, 3);
		this.ledger.acked(0, 0, 1);
		this.ledger.acked(1, 0, 2);
		this.ledger.acked(2, 0, 3);
		this.ledger.delivered(1, 0, 0, 1);
		this.ledger.delivered(1, 2, 0, 3);
		this.ledger.delivered(0, 1, 0, 2);
		this.ledger.delivered(0, 2, 0, 3);
		this.ledger.delivered(2, 0, 0, 1);
		this.ledger.delivered(2, 1, 0, 2);
		assertTrue(this.ledger.summary().clean(), this.ledger.summary().toString());
	}

	@Test
	void ackAfterDeliveryIsFine() {
		this.ledger.sent(0, 0, 100);
		this.ledger.delivered(1, 0, 0, 1);
		this.ledger.delivered(2, 0, 0, 1);
		this.ledger.acked(0, 0, 1);
		assertTrue(this.ledger.summary().clean());
	}

	@Test
	void echoToSenderOtherChatAndUnknownAreUnexpected() {
		this.ledger.sent(0, 0, 100);
		this.ledger.acked(0, 0, 1);
		assertEquals(Ledger.Outcome.UNEXPECTED, this.ledger.delivered(0, 0, 0, 1));
		assertEquals(Ledger.Outcome.UNEXPECTED, this.ledger.delivered(4, 0, 0, 1));
		assertEquals(Ledger.Outcome.UNEXPECTED, this.ledger.delivered(1, 0, 7, 2));
		assertEquals(3, this.ledger.summary().unexpected());
	}

	@Test
	void deliveredSeqDifferentFromAckIsMismatch() {
		this.ledger.sent(0, 0, 100);
		this.ledger.acked(0, 0, 1);
		this.ledger.delivered(1, 0, 0, 5);
		this.ledger.delivered(2, 0, 0, 1);
		assertEquals(2, this.ledger.summary().seqMismatch());
	}

	@Test
	void serverSideSeqHolesAndConflictsPerChat() {
		this.ledger.sent(0, 0, 1);
		this.ledger.sent(0, 1, 2);
		this.ledger.sent(0, 2, 3);
		this.ledger.sent(3, 0, 4);
		this.ledger.sent(4, 0, 5);
		this.ledger.acked(0, 0, 1);
		this.ledger.acked(0, 1, 3);
		this.ledger.acked(0, 2, 4);
		this.ledger.acked(3, 0, 7);
		this.ledger.acked(4, 0, 7);
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(1, summary.seqHoles());
		assertEquals(1, summary.seqConflicts());
	}

	@Test
	void errorFramesAreCounted() {
		this.ledger.sent(0, 0, 1);
		this.ledger.error();
		Ledger.Summary summary = this.ledger.summary();
		assertEquals(1, summary.errors());
		assertEquals(1, summary.unacked());
	}

	@Test
	void contentRoundTrips() {
		long[] parsed = ChatWorkload.parseContent("17:42:123456789:xxxx");
		assertEquals(17, parsed[0]);
		assertEquals(42, parsed[1]);
		assertEquals(123456789, parsed[2]);
		assertEquals(null, ChatWorkload.parseContent("hello"));
		assertEquals(null, ChatWorkload.parseContent("a:b:c:d"));
	}

}
