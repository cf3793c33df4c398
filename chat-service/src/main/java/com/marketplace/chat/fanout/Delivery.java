package com.marketplace.chat.fanout;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;

/**
 * Hands a chat's messages to this replica's own connections. Implemented by the WebSocket
 * layer, which alone knows which of its connections sent what; the fan-out calls it once
 * per message per replica, per chat in {@code seq} order with no gap, never two calls for
 * one chat at once. None of it may block: slow connections are buffered or dropped, never
 * waited on.
 */
public interface Delivery {

	/**
	 * Delivers to this replica's connections of the message's chat, except the connection
	 * that sent it. Connections of users who are not among {@code participants} receive
	 * nothing and are closed.
	 * @param participants who took part in the chat when the message was stored, or later
	 */
	void deliverLocally(ChatMessage message, Participants participants);

	/**
	 * Closes this replica's connections of the chat whose users are not among
	 * {@code participants}.
	 */
	void keepOnly(ChatKey chat, Participants participants);

	/**
	 * Hands a signal to this replica's connections of the chat: typing and presence to
	 * those of other users, a read position to all of them (the reader's own connections
	 * learn what was stored). Not ordered with the messages.
	 */
	void signal(ChatKey chat, Signal signal);

	/** Closes this replica's connections of the chat that belong to the user. */
	void remove(ChatKey chat, long userId);

}
