package com.marketplace.chat.message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.message.BatchWriter.Request;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.system.OffPathMeters;
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

	private final OffPathMeters.Samples storeLatency;

	private final Counter storeErrors;

	Messages(GroupCommitter committer, MessageProperties properties, MeterRegistry meters, OffPathMeters offPath) {
		this.committer = committer;
		this.properties = properties;
		this.storeLatency = offPath.timer(Timer.builder("chat.message.store")
			.description("Time from a send to its commit")
			.publishPercentileHistogram()
			.register(meters));
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
		return submit(new Request(chat, senderId, text, retryId));
	}

	/**
	 * Replaces the text of one's own message, without waiting, as {@link #submit} sends
	 * one: stored as an event with the chat's next {@code seq}. The outcome's
	 * {@link Committed#changed()} is the message as edited.
	 * @throws InvalidMessageException at once, when the content is not acceptable
	 */
	public CompletableFuture<Committed> submitEdit(ChatKey chat, long senderId, long messageId, String content) {
		String text = ContentRules.content(content, this.properties.maxContentLength());
		return submit(new Request(chat, senderId, ChatMessage.Kind.EDIT, validId(messageId), text, null));
	}

	/**
	 * Deletes one's own message, without waiting, as {@link #submit} sends one: its text
	 * is gone and it is marked deleted, and the delete is an event with the chat's next
	 * {@code seq}.
	 */
	public CompletableFuture<Committed> submitDelete(ChatKey chat, long senderId, long messageId) {
		return submit(new Request(chat, senderId, ChatMessage.Kind.DELETE, validId(messageId), "", null));
	}

	private static long validId(long messageId) {
		if (messageId < 1) {
			throw ChatProblem.invalid("invalid_message_id", "The message id must be a positive integer.");
		}
		return messageId;
	}

	private CompletableFuture<Committed> submit(Request request) {
		long started = System.nanoTime();
		return this.committer.submit(request).whenComplete((sent, failure) -> {
			if (failure == null) {
				this.storeLatency.record(System.nanoTime() - started);
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
		return await(submit(chat, senderId, content, clientMessageId));
	}

	/**
	 * Edits one's own message and waits until the edit is stored, as {@link #send}.
	 * @throws ChatProblem {@code message_not_found}, {@code not_your_message},
	 * {@code message_deleted} or {@code edit_window_closed}, with nothing changed
	 */
	public Committed edit(ChatKey chat, long senderId, long messageId, String content) {
		return await(submitEdit(chat, senderId, messageId, content));
	}

	/** Deletes one's own message and waits until it is stored, as {@link #edit}. */
	public Committed delete(ChatKey chat, long senderId, long messageId) {
		return await(submitDelete(chat, senderId, messageId));
	}

	private Committed await(CompletableFuture<Committed> sent) {
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
