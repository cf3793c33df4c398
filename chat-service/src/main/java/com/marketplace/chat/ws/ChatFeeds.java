package com.marketplace.chat.ws;

import java.util.Set;

import com.marketplace.chat.fanout.ChatRelay;
import com.marketplace.chat.fanout.Presence;
import com.marketplace.chat.message.ChatMessage;
import com.marketplace.chat.message.MessageHistory;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Starts and stops what one receiver (a raw connection, or one STOMP subscription) is
 * given of its chat: it joins the relay, receives what it missed from MySQL, and goes
 * live with no gap and no duplicate. It is also where a receiver counts for presence:
 * online from its start, and told on start who else is online. Both front doors use it,
 * so a raw client and a STOMP client of one chat see the same messages in the same order.
 */
@Component
class ChatFeeds {

	private static final Logger log = LoggerFactory.getLogger(ChatFeeds.class);

	/** Messages a streamed replay reads from MySQL at a time. */
	static final int REPLAY_PAGE = 50;

	private final MessageHistory history;

	private final ChatRelay relay;

	private final LocalConnections connections;

	private final WsProperties properties;

	private final Presence presence;

	private final JsonMapper json;

	ChatFeeds(MessageHistory history, ChatRelay relay, LocalConnections connections, WsProperties properties,
			Presence presence, JsonMapper json) {
		this.presence = presence;
		this.json = json;
		this.history = history;
		this.relay = relay;
		this.connections = connections;
		this.properties = properties;
	}

	/**
	 * Makes the receiver a member of its chat: everything after {@code afterId} (bounded
	 * by {@code chat.ws.resume-limit}) when given, else everything after
	 * {@code seqAtStart}, then live.
	 * @return {@code false} when delivery could not start; the receiver is closed with
	 * 1011
	 */
	boolean start(Connection connection, Long afterId, long seqAtStart) {
		try {
			long start = (afterId != null)
					? this.history.replayStart(connection.chat, afterId, this.properties.resumeLimit()) : seqAtStart;
			this.relay.join(connection.chat, (delivered) -> {
				connection.feed.startAfter(start);
				if (delivered > start) {
					// Read outside the relay's hold on the chat, which a read would
					// stall: the replay streams, and live deliveries leave the connection
					// to it until it has caught up.
					connection.feed.replaying(true);
					Thread.ofVirtual().name("replay-" + connection.id).start(() -> replay(connection));
				}
				this.connections.joined(connection);
			});
		}
		catch (RuntimeException ex) {
			log.warn("Could not start delivery for {}: {}", connection.chat, ex.toString());
			connection.close(CloseStatus.SERVER_ERROR);
			return false;
		}
		Set<Long> othersOnline = this.presence.arrived(connection.chat, connection.userId);
		if (connection.markJoined()) {
			// Closed while joining: undo what the close could not see yet.
			this.connections.closed(connection);
			this.relay.leave(connection.chat);
			this.presence.left(connection.chat, connection.userId);
			return true;
		}
		for (long user : othersOnline) {
			connection.signal(this.json.writeValueAsString(Frames.PresenceOut.of(user, true)));
		}
		return true;
	}

	/** The receiver is gone (closed, or unsubscribed): it leaves its chat. */
	void stop(Connection connection) {
		boolean joined = connection.markClosed();
		this.connections.closed(connection);
		if (joined) {
			this.relay.leave(connection.chat);
			this.presence.left(connection.chat, connection.userId);
		}
	}

	/**
	 * Streams a long resume from MySQL a page at a time, never putting more than a
	 * quarter of the send buffer in the connection's outbox, so a reader that keeps up is
	 * never closed for being slow and the chat's deliveries never wait for it. Once it
	 * has sent everything the relay has delivered, it goes live while the relay holds the
	 * chat, so no delivery can come between; if more arrived meanwhile, it reads that
	 * first.
	 */
	private void replay(Connection connection) {
		try {
			while (!connection.isClosing()) {
				long delivered = this.relay.deliveredSeq(connection.chat);
				if (delivered < 0) {
					return;
				}
				long from = connection.feed.takenSeq();
				if (from >= delivered) {
					boolean live = this.relay.whileHolding(connection.chat, (now) -> {
						boolean caughtUp = connection.feed.takenSeq() >= now;
						if (caughtUp) {
							connection.feed.replaying(false);
						}
						return caughtUp;
					});
					if (live) {
						return;
					}
					continue;
				}
				for (ChatMessage message : this.history.bySeq(connection.chat, from,
						Math.min(delivered, from + REPLAY_PAGE))) {
					if (!awaitRoom(connection)) {
						return;
					}
					connection.feed.replayed(
							new Feed.Outgoing(message.seq(), message.senderId(), this.connections.encodeOnce(message)));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			log.warn("Replay to {} of {} failed: {}", connection.id, connection.chat, ex.toString());
			connection.close(CloseStatus.SERVER_ERROR);
		}
	}

	/**
	 * Waits until the outbox has room for more of a replay; {@code false} once the
	 * connection is going.
	 */
	private boolean awaitRoom(Connection connection) throws InterruptedException {
		long deadline = System.nanoTime() + this.properties.sendTimeLimit().toNanos();
		long highWater = this.properties.sendBufferLimit().toBytes() / 2 / 4;
		while (connection.queuedChars() > highWater) {
			if (connection.isClosing()) {
				return false;
			}
			if (System.nanoTime() > deadline) {
				connection.slowReader();
				return false;
			}
			Thread.sleep(5);
		}
		return !connection.isClosing();
	}

}
