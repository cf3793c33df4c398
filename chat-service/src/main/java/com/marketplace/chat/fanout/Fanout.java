package com.marketplace.chat.fanout;

import java.util.function.BiConsumer;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.message.StoredMessage;

/**
 * The notification bus between replicas: {@link RedisFanout} in a cluster,
 * {@link InProcessFanout} in standalone mode. It promises at most once, in no particular
 * order across publishers; {@link ChatRelay} restores order and fills gaps from MySQL.
 */
interface Fanout {

	/**
	 * Cluster-wide: hands an already committed message to every replica listening to its
	 * chat, this one included. Never throws: a lost publication is found later by the
	 * receivers' gap detection.
	 */
	void publishToCluster(StoredMessage message, String origin);

	/**
	 * This replica only: starts receiving the chat's publications; returns once the
	 * subscription is confirmed. Closing the handle stops it; the channel itself is
	 * released when its last handle closes.
	 */
	Listening listen(ChatKey chat, BiConsumer<StoredMessage, String> receiver);

	/** A replica's interest in one chat's channel. */
	interface Listening extends AutoCloseable {

		@Override
		void close();

	}

}
