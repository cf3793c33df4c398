package com.marketplace.chat.message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.message.BatchWriter.Request;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * Sending, the same for WebSocket and REST: validate, store (commit), then publish to
 * every replica. Nobody, the sender included, hears of a message before its transaction
 * has committed.
 */
@Service
public class Messages {

	private final GroupCommitter committer;

	private final MessageProperties properties;

	private final Timer storeLatency;

	private final Counter storeErrors;

	Messages(GroupCommitter committer, MessageProperties properties, MeterRegistry meters) {
		this.committer = committer;
		this.properties = properties;
		this.storeLatency = Timer.builder("chat.message.store")
			.description("Time from a send to its commit")
			.publishPercentileHistogram()
			.register(meters);
		this.storeErrors = Counter.builder("chat.message.store.errors")
			.description("Messages that could not be stored (database errors)")
			.register(meters);
	}

	/**
	 * Sends a message from a participant without waiting: the future completes on the
	 * message writer's thread right after the commit, before the message is published, so
	 * the caller can tell the sender first. Keep what it runs there short.
	 * @throws InvalidMessageException at once, when content or client message id is not
	 * acceptable
	 */
	public CompletableFuture<Committed> submit(ChatKey chat, long senderId, String content, String clientMessageId) {
		String text = ContentRules.content(content, this.properties.maxContentLength());
		String retryId = ContentRules.clientMessageId(clientMessageId, MessageProperties.MAX_CLIENT_MESSAGE_ID_LENGTH);
		long started = System.nanoTime();
		return this.committer.submit(new Request(chat, senderId, text, retryId)).whenComplete((sent, failure) -> {
			if (failure == null) {
				this.storeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			}
			else if (failure instanceof DataAccessException || failure instanceof TransactionException) {
				this.storeErrors.increment();
			}
		});
	}

	/**
	 * Sends a message from a participant and waits until it is stored: within twice
	 * {@code chat.message.commit-timeout}, whatever the database does.
	 * @throws InvalidMessageException when content or client message id is not acceptable
	 * @throws com.marketplace.chat.chats.ChatAccessDeniedException when the sender may
	 * not send here
	 * @throws DataAccessException or {@link TransactionException} when the database
	 * cannot store it
	 */
	public Committed send(ChatKey chat, long senderId, String content, String clientMessageId) {
		CompletableFuture<Committed> sent = submit(chat, senderId, content, clientMessageId);
		long timeout = 2 * this.properties.commitTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
		try {
			return sent.get(timeout, TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new TransactionTimedOutException("The message was not stored within the commit timeout");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while storing a message", ex);
		}
	}

}
