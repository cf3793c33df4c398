package com.marketplace.chat.fanout;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.system.Phases;
import com.marketplace.chat.system.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Who of a chat's participants is connected right now, on any replica. A user is online
 * in a chat while at least one of their connections (raw or a STOMP subscription) to it
 * is open anywhere: a user with two devices goes offline when the last one leaves. A
 * change made here is published at once; every replica also compares, every third of
 * {@code chat.fanout.presence-ttl}, what the store says with what its connections were
 * told, which is how the users of a replica that died go offline everywhere: within one
 * TTL and one such interval of its death.
 */
@Component
public class Presence implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(Presence.class);

	private final PresenceStore store;

	private final Fanout fanout;

	private final Delivery delivery;

	private final long ttlMillis;

	private final Clock clock;

	/** Connections per user per chat on this replica. */
	private final Map<ChatKey, Map<Long, Integer>> local = new HashMap<>();

	/** What this replica's connections of each chat were last told is online. */
	private final Map<ChatKey, Set<Long>> told = new ConcurrentHashMap<>();

	private Ticker timer;

	private volatile boolean running;

	Presence(PresenceStore store, Fanout fanout, Delivery delivery, FanoutProperties properties) {
		this.store = store;
		this.fanout = fanout;
		this.delivery = delivery;
		this.ttlMillis = properties.presenceTtl().toMillis();
		this.clock = Clock.systemUTC();
	}

	/**
	 * One more connection of the user to the chat on this replica.
	 * @return who else of the chat is online now, read once for both the arrival and the
	 * new connection's first presence frames (empty when it cannot be read)
	 */
	public Set<Long> arrived(ChatKey chat, long userId) {
		boolean first;
		synchronized (this.local) {
			first = this.local.computeIfAbsent(chat, (key) -> new HashMap<>()).merge(userId, 1, Integer::sum) == 1;
		}
		Set<Long> online = online(chat);
		if (first) {
			try {
				this.store.put(chat, List.of(userId), this.clock.millis() + this.ttlMillis);
				if (!online.contains(userId)) {
					publish(chat, userId, true);
				}
			}
			catch (RuntimeException ex) {
				log.warn("Presence of {} in {} could not be stated: {}", userId, chat, ex.toString());
			}
		}
		Set<Long> others = new HashSet<>(online);
		others.remove(userId);
		return others;
	}

	/** One connection of the user to the chat on this replica fewer. */
	public void left(ChatKey chat, long userId) {
		boolean last;
		synchronized (this.local) {
			Map<Long, Integer> users = this.local.get(chat);
			if (users == null || !users.containsKey(userId)) {
				return;
			}
			last = users.merge(userId, -1, Integer::sum) <= 0;
			if (last) {
				users.remove(userId);
				if (users.isEmpty()) {
					this.local.remove(chat);
					this.told.remove(chat);
				}
			}
		}
		if (!last) {
			return;
		}
		try {
			this.store.remove(chat, userId);
			if (!this.store.online(chat, this.clock.millis()).contains(userId)) {
				publish(chat, userId, false);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Presence of {} in {} could not be withdrawn: {}", userId, chat, ex.toString());
		}
	}

	/** The chat's users connected anywhere now (empty when that cannot be read). */
	public Set<Long> online(ChatKey chat) {
		try {
			return this.store.online(chat, this.clock.millis());
		}
		catch (RuntimeException ex) {
			log.warn("Presence of {} could not be read: {}", chat, ex.toString());
			return Set.of();
		}
	}

	/**
	 * A presence signal from the bus: whether this replica's connections still need it
	 * (the sweep may have told them already).
	 */
	boolean heard(ChatKey chat, Signal.Presence signal) {
		Set<Long> known = this.told.computeIfAbsent(chat, (key) -> ConcurrentHashMap.newKeySet());
		return signal.online() ? known.add(signal.userId()) : known.remove(signal.userId());
	}

	private void publish(ChatKey chat, long userId, boolean online) {
		this.fanout.publishToCluster(
				List.of(new Notice.Addressed(chat, new Notice.Signalled(new Signal.Presence(userId, online)))));
	}

	/**
	 * States this replica's users again, and tells its connections what changed
	 * elsewhere.
	 */
	void sweep() {
		Map<ChatKey, Set<Long>> mine = new HashMap<>();
		synchronized (this.local) {
			this.local.forEach((chat, users) -> mine.put(chat, new HashSet<>(users.keySet())));
		}
		if (mine.isEmpty()) {
			return;
		}
		long now = this.clock.millis();
		Map<ChatKey, Set<Long>> everyone;
		try {
			everyone = this.store.refresh(mine, now + this.ttlMillis, now);
		}
		catch (RuntimeException ex) {
			log.warn("Presence could not be refreshed: {}", ex.toString());
			return;
		}
		everyone.forEach((chat, online) -> {
			try {
				Set<Long> known = this.told.computeIfAbsent(chat, (key) -> ConcurrentHashMap.newKeySet());
				for (Long user : Set.copyOf(known)) {
					if (!online.contains(user) && known.remove(user)) {
						this.delivery.signal(chat, new Signal.Presence(user, false));
					}
				}
				for (Long user : online) {
					if (known.add(user)) {
						this.delivery.signal(chat, new Signal.Presence(user, true));
					}
				}
			}
			catch (RuntimeException ex) {
				log.warn("Presence of {} could not be refreshed: {}", chat, ex.toString());
			}
		});
	}

	@Override
	public void start() {
		this.timer = Ticker.start("presence").every(Duration.ofMillis(Math.max(100, this.ttlMillis / 3)), this::sweep);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.timer.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Phases.RELAY;
	}

}
