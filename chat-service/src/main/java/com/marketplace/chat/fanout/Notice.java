package com.marketplace.chat.fanout;

import com.marketplace.chat.chat.Participants;
import com.marketplace.chat.message.StoredMessage;

/** What the bus carries on a chat's channel. */
sealed interface Notice permits Notice.Message, Notice.Removal {

	/**
	 * A committed message.
	 * @param origin the sending connection's id, or {@code null}
	 * @param participants the chat's participants when the message was stored: only they
	 * may receive it
	 */
	record Message(StoredMessage message, String origin, Participants participants) implements Notice {
	}

	/** A user stopped being a participant of the chat: their connections of it close. */
	record Removal(long userId) implements Notice {
	}

}
