package com.marketplace.chat.fanout;

import com.marketplace.chat.message.StoredMessage;

/**
 * Hands a chat's messages to this replica's own connections. Implemented by the
 * WebSocket layer; the fan-out calls it once per message per replica, per chat in
 * {@code seq} order with no gap, from the chat's delivery lane.
 */
public interface Delivery {

	/**
	 * Delivers to this replica's connections of the message's chat, except the connection
	 * that sent it. Must not block: slow connections are buffered or dropped, never waited on.
	 * @param origin the sending connection's id, or {@code null} when not known
	 */
	void deliverLocally(StoredMessage message, String origin);

}
