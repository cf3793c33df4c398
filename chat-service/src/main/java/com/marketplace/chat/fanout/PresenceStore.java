package com.marketplace.chat.fanout;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.marketplace.chat.chats.ChatKey;

/**
 * Who is connected to which chat, cluster-wide: each replica states its own users of a
 * chat with an expiry it keeps moving forward, so a replica that dies stops counting once
 * its entries expire.
 */
interface PresenceStore {

	/**
	 * This replica has these users connected to the chat, until {@code expiresAtMillis}
	 * unless stated again.
	 */
	void put(ChatKey chat, Collection<Long> users, long expiresAtMillis);

	/** This replica has no connection of the user to the chat any more. */
	void remove(ChatKey chat, long user);

	/** The users connected to the chat on any replica whose entry has not expired. */
	Set<Long> online(ChatKey chat, long nowMillis);

	/**
	 * {@link #put} for many chats and then {@link #online} of each: what every replica
	 * does every few seconds for all its chats, so a store may do it in one round trip.
	 */
	default Map<ChatKey, Set<Long>> refresh(Map<ChatKey, Set<Long>> mine, long expiresAtMillis, long nowMillis) {
		Map<ChatKey, Set<Long>> online = new HashMap<>();
		mine.forEach((chat, users) -> {
			put(chat, users, expiresAtMillis);
			online.put(chat, online(chat, nowMillis));
		});
		return online;
	}

}
