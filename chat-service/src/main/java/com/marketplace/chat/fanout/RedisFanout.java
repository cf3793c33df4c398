package com.marketplace.chat.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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

import tools.jackson.databind.json.JsonMapper;

/**
 * Redis pub/sub, one channel per chat ({@code chat:service:42}), on Lettuce directly: one
 * connection publishes, one subscribes, both from the client Spring Boot configured.
 * <ul>
 * <li>Publishing is pipelined: the notices of one grouped commit leave in one write, and
 * nothing waits for Redis to answer. While Redis is unreachable a publication fails at
 * once and is counted; MySQL already holds the message.</li>
 * <li>Notices arrive on Lettuce's event-loop thread and are handed to the chat's receiver
 * there, which must not block.</li>
 * <li>This class keeps the channels it wants. Lettuce subscribes again to what it had on
 * every reconnect; a channel it brings back that is no longer wanted (its unsubscribe
 * failed during an outage) is unsubscribed as soon as Redis confirms it.</li>
 * </ul>
 */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class RedisFanout implements Fanout, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RedisFanout.class);

	private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

	private final RedisClient client;

	private final JsonMapper json;

	private final Counter publishErrors;

	private final Map<String, Consumer<String>> wanted = new ConcurrentHashMap<>();

	private final StatefulRedisConnection<String, String> publisher;

	/** Auto-flushed, with a short timeout: the publisher's commands wait for a flush. */
	private final StatefulRedisConnection<String, String> pinger;

	private volatile StatefulRedisPubSubConnection<String, String> subscriber;

	RedisFanout(LettuceConnectionFactory connections, JsonMapper json, MeterRegistry meters) {
		if (!(connections.getRequiredNativeClient() instanceof RedisClient redis)) {
			throw new IllegalStateException("The fan-out runs on one Redis (spring.data.redis.host or .url), not on "
					+ connections.getRequiredNativeClient().getClass().getSimpleName());
		}
		this.client = redis;
		this.json = json;
		this.publishErrors = Counter.builder("chat.fanout.redis.errors")
			.description("Publications that Redis did not take")
			.register(meters);
		this.publisher = redis.connect(StringCodec.UTF8);
		this.publisher.setAutoFlushCommands(false);
		this.pinger = redis.connect(StringCodec.UTF8);
		this.pinger.setTimeout(Duration.ofSeconds(1));
		this.subscriber = openSubscriber();
	}

	private StatefulRedisPubSubConnection<String, String> openSubscriber() {
		StatefulRedisPubSubConnection<String, String> connection = this.client.connectPubSub(StringCodec.UTF8);
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				Consumer<String> receiver = RedisFanout.this.wanted.get(channel);
				if (receiver != null) {
					receiver.accept(message);
				}
			}

			@Override
			public void subscribed(String channel, long count) {
				if (!RedisFanout.this.wanted.containsKey(channel)) {
					connection.async().unsubscribe(channel);
				}
			}

		});
		return connection;
	}

	@Override
	public void publishToCluster(List<Notice.Addressed> notices) {
		String[] channels = new String[notices.size()];
		String[] payloads = new String[notices.size()];
		for (int i = 0; i < notices.size(); i++) {
			channels[i] = notices.get(i).chat().channel();
			payloads[i] = this.json.writeValueAsString(Publication.of(notices.get(i).notice()));
		}
		publishRaw(channels, payloads);
	}

	/** Publishes in one write; failures are counted, never thrown. */
	synchronized void publishRaw(String[] channels, String[] payloads) {
		try {
			for (int i = 0; i < channels.length; i++) {
				this.publisher.async().publish(channels[i], payloads[i]).exceptionally((failure) -> {
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

	/** Whether Redis answers a PING within a second. */
	boolean ping() {
		try {
			this.pinger.sync().ping();
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@Override
	public CompletableFuture<Listening> listen(ChatKey chat, Consumer<Notice> receiver) {
		String channel = chat.channel();
		return listenRaw(channel, (payload) -> {
			Notice notice;
			try {
				notice = this.json.readValue(payload, Publication.class).toNotice();
			}
			catch (RuntimeException ex) {
				log.warn("Ignoring an unreadable publication on {}: {}", chat, ex.toString());
				return;
			}
			receiver.accept(notice);
		});
	}

	/**
	 * Subscribes to a channel for as long as this replica runs: a subscription that fails
	 * now is made by the next {@link #resubscribe()}.
	 */
	void listenAlways(String channel, Consumer<String> receiver) {
		this.wanted.put(channel, receiver);
		try {
			this.subscriber.async().subscribe(channel);
		}
		catch (RuntimeException ex) {
			log.warn("Could not subscribe to {} yet: {}", channel, ex.toString());
		}
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
			this.subscriber.async()
				.subscribe(channel)
				.toCompletableFuture()
				.orTimeout(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
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
				this.subscriber.async().unsubscribe(channel);
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
		StatefulRedisPubSubConnection<String, String> old = this.subscriber;
		StatefulRedisPubSubConnection<String, String> fresh = openSubscriber();
		String[] channels = this.wanted.keySet().toArray(String[]::new);
		if (channels.length > 0) {
			fresh.async().subscribe(channels);
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
