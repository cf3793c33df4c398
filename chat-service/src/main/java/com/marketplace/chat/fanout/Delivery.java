package com.marketplace.chat.fanout;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.Participants;
import com.marketplace.chat.message.StoredMessage;

/**
 * Hands a chat's messages to this replica's own connections. Implemented by the
 * WebSocket layer; the fan-out calls it from the chat's delivery lane, once per message
 * per replica, per chat in {@code seq} order with no gap. None of it may block: slow
 * connections are buffered or dropped, never waited on.
 */
public interface Delivery {

	/**
	 * Delivers to this replica's connections of the message's chat, except the connection
	 * that sent it. Connections of users who are not among {@code participants} receive
	 * nothing and are closed.
	 * @param origin the sending connection's id, or {@code null} when not known
	 * @param participants who took part in the chat when the message was stored, or later
	 */
	void deliverLocally(StoredMessage message, String origin, Participants participants);

	/** Closes this replica's connections of the chat whose users are not among {@code participants}. */
	void keepOnly(ChatKey chat, Participants participants);

	/** Closes this replica's connections of the chat that belong to the user. */
	void remove(ChatKey chat, long userId);

}
