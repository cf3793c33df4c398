package com.marketplace.chat.fanout;

import java.time.Instant;
import java.util.function.Consumer;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
import com.marketplace.chat.chat.Participants;
import com.marketplace.chat.message.StoredMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * Redis pub/sub, one channel per chat ({@code chat:service:42}). A replica subscribes to
 * the channels of chats that have local connections; Redis drops a publication nobody
 * listens to, which is fine because MySQL already holds the message.
 */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class RedisFanout implements Fanout {

	private static final Logger log = LoggerFactory.getLogger(RedisFanout.class);

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer container;

	private final JsonMapper json;

	private final Counter publishErrors;

	RedisFanout(StringRedisTemplate redis, RedisMessageListenerContainer container, JsonMapper json,
			MeterRegistry meters) {
		this.redis = redis;
		this.container = container;
		this.json = json;
		this.publishErrors = Counter.builder("chat.fanout.redis.errors")
			.description("Publications that Redis did not take")
			.register(meters);
	}

	@Override
	public void publishToCluster(ChatKey chat, Notice notice) {
		try {
			this.redis.convertAndSend(chat.channel(), this.json.writeValueAsString(Publication.of(notice)));
		}
		catch (RuntimeException ex) {
			this.publishErrors.increment();
			log.warn("Publishing a notice of {} failed; receivers will read it from the database: {}", chat,
					ex.toString());
		}
	}

	@Override
	public Listening listen(ChatKey chat, Consumer<Notice> receiver) {
		ChannelTopic topic = new ChannelTopic(chat.channel());
		MessageListener listener = (message, pattern) -> {
			Notice notice;
			try {
				notice = this.json.readValue(message.getBody(), Publication.class).toNotice();
			}
			catch (RuntimeException ex) {
				log.warn("Ignoring an unreadable publication on {}: {}", chat, ex.toString());
				return;
			}
			receiver.accept(notice);
		};
		try {
			this.container.addMessageListener(listener, topic);
		}
		catch (RuntimeException ex) {
			// The container registers the listener before it subscribes; a subscription that
			// failed must not leave it behind, or the channel is subscribed again on recovery
			// and never released.
			release(listener, topic);
			throw ex;
		}
		return () -> release(listener, topic);
	}

	private void release(MessageListener listener, ChannelTopic topic) {
		try {
			this.container.removeMessageListener(listener, topic);
		}
		catch (RuntimeException ex) {
			// Forgotten by the container all the same: it unsubscribes only after dropping the
			// listener, and a connection that is down has no subscriptions to drop.
			log.debug("Unsubscribing from {} failed: {}", topic.getTopic(), ex.toString());
		}
	}

	/**
	 * The wire form of a notice: {@code type} {@code message} with the stored message, its
	 * sending connection and the chat's participants, or {@code removed} with the user.
	 */
	record Publication(String type, Long id, String chatKind, Long chatId, Long seq, Long senderId, String content,
			String clientMessageId, Instant createdAt, String origin, Long clientId, Long otherId, Long userId) {

		static Publication of(Notice notice) {
			return switch (notice) {
				case Notice.Message(StoredMessage message, String origin, Participants participants) -> new Publication(
						"message", message.id(), message.chat().kind().key(), message.chat().id(), message.seq(),
						message.senderId(), message.content(), message.clientMessageId(), message.createdAt(), origin,
						participants.clientId(), participants.otherId(), null);
				case Notice.Removal(long userId) -> new Publication("removed", null, null, null, null, null, null, null,
						null, null, null, null, userId);
			};
		}

		Notice toNotice() {
			if ("removed".equals(this.type)) {
				return new Notice.Removal(this.userId);
			}
			ChatKey chat = new ChatKey(ChatKind.fromKey(this.chatKind).orElseThrow(), this.chatId);
			StoredMessage message = new StoredMessage(this.id, chat, this.seq, this.senderId, this.content,
					this.clientMessageId, this.createdAt, this.origin);
			return new Notice.Message(message, this.origin, new Participants(this.clientId, this.otherId));
		}

	}

}
