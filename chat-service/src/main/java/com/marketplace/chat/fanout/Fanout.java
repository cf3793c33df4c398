package com.marketplace.chat.fanout;

import java.util.function.Consumer;

import com.marketplace.chat.chat.ChatKey;

/**
 * The notification bus between replicas: {@link RedisFanout} in a cluster,
 * {@link InProcessFanout} in standalone mode. It promises at most once, in no particular
 * order across publishers; {@link ChatRelay} restores order and fills gaps from MySQL.
 */
interface Fanout {

	/**
	 * Cluster-wide: hands a notice about a chat (an already committed message, or a removed
	 * participant) to every replica listening to the chat, this one included. Never
	 * throws: a lost message is found later by the receivers' gap detection, a lost
	 * removal by their sweep.
	 */
	void publishToCluster(ChatKey chat, Notice notice);

	/**
	 * This replica only: starts receiving the chat's notices; returns once the subscription
	 * is confirmed. Closing the handle stops it; the channel itself is released when its
	 * last handle closes.
	 */
	Listening listen(ChatKey chat, Consumer<Notice> receiver);

	/** A replica's interest in one chat's channel. */
	interface Listening extends AutoCloseable {

		@Override
		void close();

	}

}
