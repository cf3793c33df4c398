package com.marketplace.chat.fanout;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;

/** What the bus carries on a chat's channel. */
sealed interface Notice permits Notice.Message, Notice.Removal, Notice.Signalled {

	/**
	 * A committed message.
	 *
	 * @param participants the chat's participants when the message was stored: only they
	 * may receive it
	 */
	record Message(ChatMessage message, Participants participants) implements Notice {
	}

	/** A user stopped being a participant of the chat: their connections of it close. */
	record Removal(long userId) implements Notice {
	}

	/** A typing or read signal: delivered as it comes, never stored or replayed. */
	record Signalled(Signal signal) implements Notice {
	}

	/** A notice and the chat whose channel it goes to. */
	record Addressed(ChatKey chat, Notice notice) {
	}

}
