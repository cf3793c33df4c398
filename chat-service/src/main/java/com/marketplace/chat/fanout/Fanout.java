package com.marketplace.chat.fanout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import com.marketplace.chat.chats.ChatKey;

/**
 * The notification bus between replicas: {@link RedisFanout} in a cluster,
 * {@link InProcessFanout} in standalone mode. It promises at most once, in no particular
 * order across publishers; {@link ChatRelay} restores order and fills gaps from MySQL.
 */
interface Fanout {

	/**
	 * Cluster-wide: hands notices (already committed messages, removed participants) to
	 * every replica listening to their chats, this one included, all in one write. Never
	 * throws and never waits for the bus: a lost message is found later by the receivers'
	 * gap detection or sweep, a lost removal by their sweep.
	 */
	void publishToCluster(List<Notice.Addressed> notices);

	/**
	 * This replica only: starts receiving the chat's notices. The future completes once
	 * the subscription is confirmed, or fails having left nothing subscribed. Closing the
	 * handle stops it. The receiver runs on the bus's thread and must not block.
	 */
	CompletableFuture<Listening> listen(ChatKey chat, Consumer<Notice> receiver);

	/** A replica's interest in one chat's channel. */
	interface Listening extends AutoCloseable {

		@Override
		void close();

	}

}
