package com.marketplace.chat.ws;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.fanout.Delivery;
import com.marketplace.chat.fanout.Signal;
import com.marketplace.chat.message.ChatMessage;
import com.marketplace.chat.system.OffPathMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

import tools.jackson.databind.json.JsonMapper;

/**
 * The connections of this replica, and only this one, by chat and by user. Receives each
 * chat's messages from the relay in order and hands them to every local connection of the
 * chat except the one that sent it; each message is encoded once for all of them.
 * Connections of a user who no longer takes part in the chat get nothing more and close.
 */
@Component
class LocalConnections implements Delivery {

	static final CloseStatus NOT_A_PARTICIPANT = CloseStatus.POLICY_VIOLATION
		.withReason("no longer a participant of this chat");

	private final Map<String, Connection> all = new ConcurrentHashMap<>();

	private final Map<ChatKey, Set<Connection>> byChat = new ConcurrentHashMap<>();

	/** Open connections and accepted handshakes per user, for the per-user cap. */
	private final Map<Long, AtomicInteger> perUser = new ConcurrentHashMap<>();

	/** Open connections and accepted handshakes of the replica, for its cap. */
	private final AtomicInteger sockets = new AtomicInteger();

	private final JsonMapper json;

	private final Counter delivered;

	private final OffPathMeters.Samples fanoutLatency;

	LocalConnections(JsonMapper json, MeterRegistry meters, OffPathMeters offPath) {
		this.json = json;
		Gauge.builder("chat.ws.connections", this.all, Map::size)
			.tag("protocol", SocketMeters.RAW)
			.description("Open WebSocket connections on this replica")
			.register(meters);
		this.delivered = Counter.builder("chat.messages.delivered")
			.description("Message frames handed to this replica's connections")
			.register(meters);
		this.fanoutLatency = offPath.timer(Timer.builder("chat.fanout.latency")
			.description("From a message's commit to its delivery on this replica")
			.publishPercentileHistogram()
			.register(meters));
	}

	/** What {@link #reserve} answered. */
	enum Reservation {

		/** A socket is counted for the user and the replica. */
		RESERVED,

		/** The user holds their share of sockets here already. */
		USER_FULL,

		/** The replica holds all the sockets it takes. */
		REPLICA_FULL

	}

	/**
	 * Counts one more socket for the user and for this replica if that keeps both within
	 * their caps, from the accepted handshake on (a connection opens a moment after its
	 * handshake, so counting open connections would let a burst past the cap). The count
	 * is given back with {@link #release} when the upgrade fails or the connection
	 * closes.
	 */
	Reservation reserve(long userId, int perUser, int perReplica) {
		if (!take(this.sockets, perReplica)) {
			return Reservation.REPLICA_FULL;
		}
		if (!take(this.perUser.computeIfAbsent(userId, (id) -> new AtomicInteger()), perUser)) {
			this.sockets.decrementAndGet();
			return Reservation.USER_FULL;
		}
		return Reservation.RESERVED;
	}

	private static boolean take(AtomicInteger count, int cap) {
		while (true) {
			int now = count.get();
			if (now >= cap) {
				return false;
			}
			if (count.compareAndSet(now, now + 1)) {
				return true;
			}
		}
	}

	void release(long userId) {
		this.sockets.decrementAndGet();
		this.perUser.computeIfPresent(userId, (id, count) -> (count.decrementAndGet() <= 0) ? null : count);
	}

	/** Sockets counted against the replica's cap: open ones and accepted handshakes. */
	int reserved() {
		return this.sockets.get();
	}

	void opened(Connection connection) {
		this.all.put(connection.id, connection);
	}

	/** Makes the connection a receiver of its chat; call from the chat's lane. */
	void joined(Connection connection) {
		this.byChat.computeIfAbsent(connection.chat, (chat) -> ConcurrentHashMap.newKeySet()).add(connection);
	}

	void closed(Connection connection) {
		this.all.remove(connection.id);
		this.byChat.computeIfPresent(connection.chat, (chat, members) -> {
			members.remove(connection);
			return members.isEmpty() ? null : members;
		});
	}

	int count() {
		return this.all.size();
	}

	Collection<Connection> all() {
		return List.copyOf(this.all.values());
	}

	@Override
	public void deliverLocally(ChatMessage message, Participants participants) {
		Set<Connection> members = this.byChat.get(message.chat());
		if (members == null) {
			return;
		}
		this.fanoutLatency.record(Duration.between(message.createdAt(), Instant.now()).toNanos());
		Feed.Outgoing outgoing = new Feed.Outgoing(message.seq(), message.senderId(), encodeOnce(message));
		for (Connection connection : members) {
			if (!participants.includes(connection.userId)) {
				drop(members, connection);
				continue;
			}
			connection.feed.live(outgoing);
		}
	}

	/**
	 * The frame of the message (or edit, or delete), encoded the first time a connection
	 * needs it and shared by all.
	 */
	Supplier<String> encodeOnce(ChatMessage message) {
		return new Supplier<>() {

			private String frame;

			@Override
			public synchronized String get() {
				if (this.frame == null) {
					this.frame = LocalConnections.this.json.writeValueAsString(Frames.of(message));
				}
				return this.frame;
			}

		};
	}

	Counter deliveredCounter() {
		return this.delivered;
	}

	@Override
	public void signal(ChatKey chat, Signal signal) {
		Set<Connection> members = this.byChat.get(chat);
		if (members == null) {
			return;
		}
		String frame = switch (signal) {
			case Signal.Typing(long userId) -> this.json.writeValueAsString(Frames.TypingOut.of(userId));
			case Signal.Read(long userId, long seq) -> this.json.writeValueAsString(Frames.ReadOut.of(userId, seq));
			case Signal.Presence(long userId, boolean online) ->
				this.json.writeValueAsString(Frames.PresenceOut.of(userId, online));
		};
		long skipped = switch (signal) {
			case Signal.Typing(long userId) -> userId;
			case Signal.Presence(long userId, boolean online) -> userId;
			case Signal.Read read -> Long.MIN_VALUE;
		};
		for (Connection connection : members) {
			if (connection.userId != skipped) {
				connection.signal(frame);
			}
		}
	}

	@Override
	public void keepOnly(ChatKey chat, Participants participants) {
		dropUsers(chat, (userId) -> !participants.includes(userId));
	}

	@Override
	public void remove(ChatKey chat, long userId) {
		dropUsers(chat, (user) -> user == userId);
	}

	private void dropUsers(ChatKey chat, LongPredicate users) {
		Set<Connection> members = this.byChat.get(chat);
		if (members != null) {
			members.stream()
				.filter((connection) -> users.test(connection.userId))
				.forEach((connection) -> drop(members, connection));
		}
	}

	/**
	 * Stops delivering to the connection at once and closes it; its close does the rest.
	 */
	private static void drop(Set<Connection> members, Connection connection) {
		members.remove(connection);
		connection.close(NOT_A_PARTICIPANT);
	}

}
