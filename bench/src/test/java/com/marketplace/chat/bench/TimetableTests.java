package com.marketplace.chat.bench;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimetableTests {

	@Test
	void messagesAreEvenlySpacedFromTheStart() {
		Timetable timetable = Timetable.of(1_000, 200, 10);
		assertEquals(2000, timetable.count());
		assertEquals(1_000, timetable.scheduledAt(0));
		assertEquals(1_000 + 5_000_000, timetable.scheduledAt(1));
		assertEquals(1_000 + 1_000_000_000L, timetable.scheduledAt(200));
		assertEquals(1_000 + 10_000_000_000L, timetable.endNanos());
	}

	@Test
	void scheduleDoesNotDependOnWhenMessagesWereSent() {
		// An open model: being late changes nothing about what is due when.
		Timetable timetable = Timetable.of(0, 3, 2);
		assertEquals(0, timetable.dueBy(-1));
		assertEquals(1, timetable.dueBy(0));
		assertEquals(1, timetable.dueBy(333_333_332));
		assertEquals(2, timetable.dueBy(333_333_333));
		assertEquals(3, timetable.dueBy(666_666_666));
		// A generator that stalled for a long time finds everything due, and no more.
		assertEquals(6, timetable.dueBy(60_000_000_000L));
	}

	@Test
	void dueByMatchesScheduledAtForOddRates() {
		Timetable timetable = Timetable.of(123, 1234.5, 3);
		for (long k = 0; k < timetable.count(); k++) {
			long at = timetable.scheduledAt(k);
			assertEquals(k + 1, timetable.dueBy(at), "k=" + k);
			assertEquals(k, timetable.dueBy(at - 1), "k=" + k);
		}
	}

	@Test
	void chatsTakeTurnsAndSendersRotateWithinAChat() {
		int chats = 4;
		int perChat = 3;
		Map<String, Integer> sends = new HashMap<>();
		for (long k = 0; k < chats * perChat * 10; k++) {
			int chat = Timetable.chatOf(k, chats);
			int sender = Timetable.senderOf(k, chats, perChat);
			sends.merge(chat + "/" + sender, 1, Integer::sum);
		}
		assertEquals(chats * perChat, sends.size());
		assertTrue(sends.values().stream().allMatch((count) -> count == 10), sends.toString());
		assertEquals(0, Timetable.chatOf(0, chats));
		assertEquals(1, Timetable.chatOf(1, chats));
		assertEquals(0, Timetable.senderOf(3, chats, perChat));
		assertEquals(1, Timetable.senderOf(4, chats, perChat));
	}

	@Test
	void consecutiveMessagesOfAChatAlternateBetweenTheTwoParticipants() {
		assertEquals(0, Timetable.senderOf(0, 1000, 2));
		assertEquals(1, Timetable.senderOf(1000, 1000, 2));
		assertEquals(0, Timetable.senderOf(2000, 1000, 2));
	}

	@Test
	void rateMustBePositive() {
		assertThrows(IllegalArgumentException.class, () -> Timetable.of(0, 0, 1));
	}

}
