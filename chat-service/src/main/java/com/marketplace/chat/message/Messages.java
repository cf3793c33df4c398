package com.marketplace.chat.message;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.message.MessageStore.Request;
import com.marketplace.chat.message.MessageStore.Stored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import org.springframework.stereotype.Service;

/**
 * Sending, the same for WebSocket and REST: validate, store (commit), then announce
 * {@link MessageStored} so the fan-out publishes it to every replica. Nobody, the sender
 * included, hears of a message before its transaction has committed.
 */
@Service
public class Messages {

	private final GroupCommitter committer;

	private final ApplicationEventPublisher events;

	private final MessageProperties properties;

	private final Timer storeLatency;

	private final Counter storeErrors;

	Messages(GroupCommitter committer, ApplicationEventPublisher events, MessageProperties properties,
			MeterRegistry meters) {
		this.committer = committer;
		this.events = events;
		this.properties = properties;
		this.storeLatency = Timer.builder("chat.message.store")
			.description("Time to commit one message to the database")
			.publishPercentileHistogram()
			.register(meters);
		this.storeErrors = Counter.builder("chat.message.store.errors")
			.description("Messages that could not be stored (database errors)")
			.register(meters);
	}

	/**
	 * Stores and publishes a message from a participant.
	 * @param origin the sending WebSocket connection's id, or {@code null} for REST
	 * @return the stored message, the original one when this was a retry
	 * @throws InvalidMessageException when content or client message id is not acceptable
	 * @throws com.marketplace.chat.chat.ChatAccessDeniedException when the sender may not send here
	 * @throws org.springframework.dao.DataAccessException when the database cannot store it
	 */
	public Sent send(ChatKey chat, long senderId, String content, String clientMessageId, String origin) {
		String text = ContentRules.content(content, this.properties.maxContentLength());
		String retryId = ContentRules.clientMessageId(clientMessageId, MessageProperties.MAX_CLIENT_MESSAGE_ID_LENGTH);
		Stored stored;
		Timer.Sample sample = Timer.start();
		try {
			stored = this.committer.store(new Request(chat, senderId, text, retryId, origin));
		}
		catch (DataAccessException | TransactionException ex) {
			this.storeErrors.increment();
			throw ex;
		}
		sample.stop(this.storeLatency);
		this.events.publishEvent(new MessageStored(stored.message(), origin, stored.participants()));
		return new Sent(stored.message(), stored.duplicate());
	}

	/** @param duplicate whether the message had been stored before under the same client message id */
	public record Sent(StoredMessage message, boolean duplicate) {
	}

}
