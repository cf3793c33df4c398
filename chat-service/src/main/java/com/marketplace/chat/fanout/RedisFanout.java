package com.marketplace.chat.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Redis pub/sub, one channel per chat ({@code chat:service:42}), on Lettuce directly: one
 * connection publishes, one subscribes, both from the client Spring Boot configured.
 * <ul>
 * <li>On one Redis ({@code spring.data.redis.host} or {@code .url}) it is classic
 * pub/sub. On a Redis Cluster ({@code spring.data.redis.cluster.nodes}) it is sharded
 * pub/sub ({@code SPUBLISH} / {@code SSUBSCRIBE}): a chat's channel lives on the shard
 * that owns its slot, so a publication crosses no other shard, and adding shards adds
 * fan-out capacity. Lettuce routes each command to the primary of the channel's
 * slot.</li>
 * <li>Publishing is pipelined: the notices of one grouped commit leave in one write, and
 * nothing waits for Redis to answer. While Redis is unreachable a publication fails at
 * once and is counted; MySQL already holds the message.</li>
 * <li>Notices arrive on Lettuce's event-loop thread and are handed to the chat's receiver
 * there, which must not block.</li>
 * <li>This class keeps the channels it wants. Lettuce subscribes again to what it had on
 * every reconnect; a channel it brings back that is no longer wanted (its unsubscribe
 * failed during an outage) is unsubscribed as soon as Redis confirms it. A shard that
 * drops a channel itself (its slot moved, or its primary stepped down) is asked again
 * after a pause, and the relay reads what the chat missed from MySQL.</li>
 * </ul>
 */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class RedisFanout implements Fanout, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RedisFanout.class);

	private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

	/** How long after a shard dropped a channel it is asked for it again. */
	private static final Duration RESUBSCRIBE_PAUSE = Duration.ofMillis(500);

	/**
	 * The client of a Redis Cluster, where pub/sub is sharded, or {@code null} on one
	 * Redis ({@link #redis}): the one place that says which.
	 */
	private final RedisClusterClient cluster;

	private final RedisClient redis;

	private final PublicationCodec codec = new PublicationCodec();

	private final Counter publishErrors;

	private final Counter shardDrops;

	private final Map<String, Consumer<String>> wanted = new ConcurrentHashMap<>();

	private final StatefulConnection<String, String> publisher;

	private final RedisClusterAsyncCommands<String, String> publishing;

	/**
	 * Auto-flushed, with a short timeout, for pings and presence: the publisher's
	 * commands wait for a flush.
	 */
	private final StatefulConnection<String, String> pinger;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final RedisClusterCommands<String, String> pinging;

	private volatile StatefulRedisPubSubConnection<String, String> subscriber;

	private volatile Consumer<String> onChannelDropped = (channel) -> {
	};

	RedisFanout(LettuceConnectionFactory connections, MeterRegistry meters) {
		this.publishErrors = Counter.builder("chat.fanout.redis.errors")
			.description("Publications that Redis did not take")
			.register(meters);
		this.shardDrops = Counter.builder("chat.fanout.redis.shard.drops")
			.description("Channels a Redis Cluster shard dropped (slot moved, primary changed)")
			.register(meters);
		Object nativeClient = connections.getRequiredNativeClient();
		if (nativeClient instanceof RedisClusterClient cluster) {
			this.cluster = cluster;
			this.redis = null;
			StatefulRedisClusterConnection<String, String> publisher = cluster.connect(StringCodec.UTF8);
			this.publisher = publisher;
			this.publishing = publisher.async();
			StatefulRedisClusterConnection<String, String> pinger = cluster.connect(StringCodec.UTF8);
			this.pinger = pinger;
			this.pinging = pinger.sync();
			this.commands = pinger.async();
		}
		else if (nativeClient instanceof RedisClient redis) {
			this.cluster = null;
			this.redis = redis;
			StatefulRedisConnection<String, String> publisher = redis.connect(StringCodec.UTF8);
			this.publisher = publisher;
			this.publishing = publisher.async();
			StatefulRedisConnection<String, String> pinger = redis.connect(StringCodec.UTF8);
			this.pinger = pinger;
			this.pinging = pinger.sync();
			this.commands = pinger.async();
		}
		else {
			throw new IllegalStateException(
					"The fan-out runs on Redis through Lettuce, not on " + nativeClient.getClass().getSimpleName());
		}
		this.publisher.setAutoFlushCommands(false);
		this.pinger.setTimeout(PING_TIMEOUT);
		this.subscriber = openSubscriber();
	}

	private boolean sharded() {
		return this.cluster != null;
	}

	/** The primaries that serve slots, as the cluster client knows them now. */
	private List<RedisClusterNode> primaries() {
		return this.cluster.getPartitions()
			.stream()
			.filter((node) -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty())
			.toList();
	}

	/** Commands on the bus's Redis, sent at once (not with the publications). */
	RedisClusterAsyncCommands<String, String> commands() {
		return this.commands;
	}

	/**
	 * Who to tell when a shard dropped a channel this replica wants, and again once it is
	 * subscribed anew: each time the chat may have missed publications.
	 */
	void onChannelDropped(Consumer<String> listener) {
		this.onChannelDropped = listener;
	}

	private StatefulRedisPubSubConnection<String, String> openSubscriber() {
		StatefulRedisPubSubConnection<String, String> connection = sharded()
				? this.cluster.connectPubSub(StringCodec.UTF8) : this.redis.connectPubSub(StringCodec.UTF8);
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				deliver(channel, message);
			}

			@Override
			public void smessage(String channel, String message) {
				deliver(channel, message);
			}

			@Override
			public void subscribed(String channel, long count) {
				if (!RedisFanout.this.wanted.containsKey(channel)) {
					connection.async().unsubscribe(channel);
				}
			}

			@Override
			public void ssubscribed(String channel, long count) {
				if (!RedisFanout.this.wanted.containsKey(channel)) {
					connection.async().sunsubscribe(channel);
				}
			}

			@Override
			public void sunsubscribed(String channel, long count) {
				if (RedisFanout.this.wanted.containsKey(channel)) {
					dropped(connection, channel);
				}
			}

		});
		return connection;
	}

	private void deliver(String channel, String message) {
		Consumer<String> receiver = this.wanted.get(channel);
		if (receiver != null) {
			receiver.accept(message);
		}
	}

	/**
	 * A shard said it no longer sends us a channel we still want: its slot moved or its
	 * primary changed. Asked again after a pause (Lettuce's view of the slots refreshes
	 * meanwhile), until the channel is confirmed or no longer wanted; the relay reads
	 * what the chat missed from MySQL.
	 */
	private void dropped(StatefulRedisPubSubConnection<String, String> connection, String channel) {
		this.shardDrops.increment();
		log.info("Redis dropped channel {}; subscribing again", channel);
		this.onChannelDropped.accept(channel);
		subscribeAgainLater(connection, channel);
	}

	/** Retries until confirmed: the drop is counted and told once, its end once. */
	private void subscribeAgainLater(StatefulRedisPubSubConnection<String, String> connection, String channel) {
		CompletableFuture.delayedExecutor(RESUBSCRIBE_PAUSE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
			if (!this.wanted.containsKey(channel) || connection != this.subscriber) {
				return;
			}
			subscribe(connection, channel).whenComplete((ignored, failure) -> {
				if (failure != null && this.wanted.containsKey(channel)) {
					log.warn("Subscribing again to {} failed: {}", channel, failure.toString());
					subscribeAgainLater(connection, channel);
				}
				else if (failure == null) {
					// What was published between the drop and now.
					this.onChannelDropped.accept(channel);
				}
			});
		});
	}

	/** SUBSCRIBE, or SSUBSCRIBE on a cluster: one channel each there, as slots differ. */
	private CompletableFuture<Void> subscribe(StatefulRedisPubSubConnection<String, String> connection,
			String... channels) {
		if (!sharded()) {
			return connection.async().subscribe(channels).toCompletableFuture();
		}
		CompletableFuture<?>[] each = new CompletableFuture<?>[channels.length];
		for (int i = 0; i < channels.length; i++) {
			each[i] = connection.async().ssubscribe(channels[i]).toCompletableFuture();
		}
		return CompletableFuture.allOf(each);
	}

	private void unsubscribe(String channel) {
		if (sharded()) {
			this.subscriber.async().sunsubscribe(channel);
		}
		else {
			this.subscriber.async().unsubscribe(channel);
		}
	}

	@Override
	public void publishToCluster(List<Notice.Addressed> notices) {
		String[] channels = new String[notices.size()];
		String[] payloads = new String[notices.size()];
		for (int i = 0; i < notices.size(); i++) {
			channels[i] = notices.get(i).chat().channel();
			payloads[i] = this.codec.write(Publication.of(notices.get(i).notice()));
		}
		publishRaw(channels, payloads);
	}

	/** Publishes in one write; failures are counted, never thrown. */
	synchronized void publishRaw(String[] channels, String[] payloads) {
		try {
			for (int i = 0; i < channels.length; i++) {
				RedisFuture<Long> published = sharded() ? this.publishing.spublish(channels[i], payloads[i])
						: this.publishing.publish(channels[i], payloads[i]);
				published.exceptionally((failure) -> {
					this.publishErrors.increment();
					return null;
				});
			}
			this.publisher.flushCommands();
		}
		catch (RuntimeException ex) {
			this.publishErrors.increment();
			log.warn("Publishing {} notices failed; receivers will read them from the database: {}", channels.length,
					ex.toString());
		}
	}

	/**
	 * Whether Redis answers a PING within a second: on a cluster, every primary the
	 * client knows of now, all asked at once (a node's own connection keeps the client's
	 * longer command timeout, so each answer is awaited against the one second here).
	 */
	boolean ping() {
		try {
			if (sharded()) {
				var nodes = (StatefulRedisClusterConnection<String, String>) this.pinger;
				List<CompletableFuture<String>> pings = new ArrayList<>();
				for (RedisClusterNode node : primaries()) {
					pings.add(nodes.getConnection(node.getNodeId()).async().ping().toCompletableFuture());
				}
				CompletableFuture.allOf(pings.toArray(CompletableFuture<?>[]::new))
					.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
				return true;
			}
			this.pinging.ping();
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (RuntimeException | ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	/**
	 * Channels named {@code prefix} plus a hash tag, one on each shard of a cluster (the
	 * primaries as Lettuce knows them now), keyed by the shard's first slot range; on one
	 * Redis, {@code prefix} alone.
	 */
	Map<String, String> channelPerShard(String prefix) {
		if (!sharded()) {
			return Map.of("redis", prefix);
		}
		Map<String, String> channels = new TreeMap<>();
		for (RedisClusterNode node : primaries()) {
			String shard = "slots " + node.getSlots().get(0) + "+";
			for (int tag = 0;; tag++) {
				String channel = prefix + ":{" + tag + "}";
				if (node.hasSlot(SlotHash.getSlot(channel))) {
					channels.put(shard, channel);
					break;
				}
			}
		}
		return channels;
	}

	@Override
	public CompletableFuture<Listening> listen(ChatKey chat, Consumer<Notice> receiver) {
		String channel = chat.channel();
		return listenRaw(channel, (payload) -> {
			Notice notice;
			try {
				notice = this.codec.read(payload).toNotice();
			}
			catch (RuntimeException ex) {
				log.warn("Ignoring an unreadable publication on {}: {}", chat, ex.toString());
				return;
			}
			receiver.accept(notice);
		});
	}

	/**
	 * Subscribes to a channel until the handle is closed: a subscription that fails now
	 * is made by the next {@link #resubscribe()}.
	 */
	Listening listenAlways(String channel, Consumer<String> receiver) {
		this.wanted.put(channel, receiver);
		try {
			subscribe(this.subscriber, channel);
		}
		catch (RuntimeException ex) {
			log.warn("Could not subscribe to {} yet: {}", channel, ex.toString());
		}
		return () -> release(channel, receiver);
	}

	/**
	 * Subscribes to a channel; the future completes once Redis confirmed it, or fails
	 * within {@link #SUBSCRIBE_TIMEOUT}, leaving nothing subscribed on this replica's
	 * behalf.
	 */
	CompletableFuture<Listening> listenRaw(String channel, Consumer<String> receiver) {
		this.wanted.put(channel, receiver);
		Listening handle = () -> release(channel, receiver);
		CompletableFuture<Listening> subscribed = new CompletableFuture<>();
		try {
			subscribe(this.subscriber, channel).orTimeout(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
				.whenComplete((ignored, failure) -> {
					if (failure == null) {
						subscribed.complete(handle);
					}
					else {
						release(channel, receiver);
						subscribed.completeExceptionally(failure);
					}
				});
		}
		catch (RuntimeException ex) {
			release(channel, receiver);
			subscribed.completeExceptionally(ex);
		}
		return subscribed;
	}

	private void release(String channel, Consumer<String> receiver) {
		if (this.wanted.remove(channel, receiver)) {
			try {
				unsubscribe(channel);
			}
			catch (RuntimeException ex) {
				// Disconnected: should Lettuce bring the channel back on reconnect, it is
				// dropped then.
				log.debug("Unsubscribing from {} failed: {}", channel, ex.toString());
			}
		}
	}

	/**
	 * Replaces the subscribing connection with a new one subscribed to every wanted
	 * channel: for a subscription Redis dropped without the connection noticing.
	 */
	void resubscribe() {
		if (sharded()) {
			this.cluster.refreshPartitions();
		}
		StatefulRedisPubSubConnection<String, String> old = this.subscriber;
		StatefulRedisPubSubConnection<String, String> fresh = openSubscriber();
		String[] channels = this.wanted.keySet().toArray(String[]::new);
		if (channels.length > 0) {
			subscribe(fresh, channels);
		}
		this.subscriber = fresh;
		old.closeAsync();
	}

	@Override
	public void destroy() {
		this.subscriber.close();
		this.publisher.close();
		this.pinger.close();
	}

	/**
	 * The wire form of a notice: {@code type} {@code message}, {@code edit} or
	 * {@code delete} with the stored row (an edit or delete names its message in
	 * {@code targetId}) and the chat's participants, {@code removed} with the user,
	 * {@code typing} with the user, or {@code read} with the user and the {@code seq}. A
	 * JSON array, fields in this order: smaller than an object and quicker to read on
	 * every replica.
	 */
	@JsonFormat(shape = JsonFormat.Shape.ARRAY)
	record Publication(String type, Long id, String chatKind, Long chatId, Long seq, Long senderId, String content,
			String clientMessageId, Instant createdAt, Long clientId, Long otherId, Long userId, Long targetId) {

		static Publication of(Notice notice) {
			return switch (notice) {
				case Notice.Message(ChatMessage message, Participants participants) -> new Publication(
						message.kind().key(), message.id(), message.chat().kind().key(), message.chat().id(),
						message.seq(), message.senderId(), message.content(), message.clientMessageId(),
						message.createdAt(), participants.clientId(), participants.otherId(), null, message.targetId());
				case Notice.Removal(long userId) -> new Publication("removed", null, null, null, null, null, null, null,
						null, null, null, userId, null);
				case Notice.Signalled(Signal.Typing(long userId)) ->
					new Publication("typing", null, null, null, null, null, null, null, null, null, null, userId, null);
				case Notice.Signalled(Signal.Read(long userId, long seq)) ->
					new Publication("read", null, null, null, seq, null, null, null, null, null, null, userId, null);
				case Notice.Signalled(Signal.Presence(long userId, boolean online)) ->
					new Publication(online ? "online" : "offline", null, null, null, null, null, null, null, null, null,
							null, userId, null);
			};
		}

		Notice toNotice() {
			switch (this.type) {
				case "removed" -> {
					return new Notice.Removal(this.userId);
				}
				case "typing" -> {
					return new Notice.Signalled(new Signal.Typing(this.userId));
				}
				case "read" -> {
					return new Notice.Signalled(new Signal.Read(this.userId, this.seq));
				}
				case "online", "offline" -> {
					return new Notice.Signalled(new Signal.Presence(this.userId, "online".equals(this.type)));
				}
				default -> {
					// a message, an edit or a delete
				}
			}
			ChatKey chat = new ChatKey(ChatKind.fromKey(this.chatKind).orElseThrow(), this.chatId);
			ChatMessage message = new ChatMessage(this.id, chat, this.seq, this.senderId, this.content,
					this.clientMessageId, this.createdAt, ChatMessage.Kind.fromKey(this.type), this.targetId, null,
					false);
			return new Notice.Message(message, new Participants(this.clientId, this.otherId));
		}

	}

}
