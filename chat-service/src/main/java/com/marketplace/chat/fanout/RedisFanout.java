package com.marketplace.chat.fanout;

import java.time.Instant;
import java.util.function.BiConsumer;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
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
	public void publishToCluster(StoredMessage message, String origin) {
		try {
			this.redis.convertAndSend(message.chat().channel(), this.json.writeValueAsString(Publication.of(message, origin)));
		}
		catch (RuntimeException ex) {
			this.publishErrors.increment();
			log.warn("Publishing message {} of {} failed; receivers will read it from the database: {}", message.id(),
					message.chat(), ex.toString());
		}
	}

	@Override
	public Listening listen(ChatKey chat, BiConsumer<StoredMessage, String> receiver) {
		ChannelTopic topic = new ChannelTopic(chat.channel());
		MessageListener listener = (message, pattern) -> {
			Publication publication;
			try {
				publication = this.json.readValue(message.getBody(), Publication.class);
			}
			catch (RuntimeException ex) {
				log.warn("Ignoring an unreadable publication on {}: {}", chat, ex.toString());
				return;
			}
			receiver.accept(publication.toStored(), publication.origin());
		};
		this.container.addMessageListener(listener, topic);
		return () -> this.container.removeMessageListener(listener, topic);
	}

	/** The wire form of a publication: the stored message and its sending connection. */
	record Publication(long id, String chatKind, long chatId, long seq, long senderId, String content,
			String clientMessageId, Instant createdAt, String origin) {

		static Publication of(StoredMessage message, String origin) {
			return new Publication(message.id(), message.chat().kind().key(), message.chat().id(), message.seq(),
					message.senderId(), message.content(), message.clientMessageId(), message.createdAt(), origin);
		}

		StoredMessage toStored() {
			ChatKey chat = new ChatKey(ChatKind.fromKey(this.chatKind).orElseThrow(), this.chatId);
			return new StoredMessage(this.id, chat, this.seq, this.senderId, this.content, this.clientMessageId,
					this.createdAt, this.origin);
		}

	}

}
