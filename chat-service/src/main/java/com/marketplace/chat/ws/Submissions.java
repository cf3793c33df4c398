package com.marketplace.chat.ws;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.message.Committed;
import com.marketplace.chat.problems.ChatProblem;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * A message, edit or delete sent from a socket, the same for raw connections and STOMP
 * sessions: the sender's own receivers of the chat learn its {@code seq} on the writer's
 * thread right after the commit (so that no copy of it is echoed to them), before the bus
 * hears of it; then the protocol answers, with its ack or its refusal.
 */
final class Submissions {

	private static final Logger log = LoggerFactory.getLogger(Submissions.class);

	private Submissions() {
	}

	/** How a protocol answers the sender. */
	interface Answer {

		void stored(Committed sent);

		void refused(String code, String message);

	}

	/**
	 * Hands the submission to the writers and returns; the answer comes on the writer's
	 * thread. A refusal by the rules (bad content, not a participant, not one's own
	 * message) is answered with its code; a database failure with {@code unavailable}.
	 */
	static void submit(ChatKey chat, List<Connection> own, Supplier<CompletableFuture<Committed>> submit,
			Counter received, Answer answer) {
		long[] tickets = new long[own.size()];
		for (int i = 0; i < tickets.length; i++) {
			tickets[i] = own.get(i).feed.sendStarted();
		}
		CompletableFuture<Committed> stored;
		try {
			stored = submit.get();
		}
		catch (ChatProblem ex) {
			settle(own, tickets, -1);
			answer.refused(ex.code(), ex.getMessage());
			return;
		}
		catch (RuntimeException ex) {
			settle(own, tickets, -1);
			throw ex;
		}
		stored.whenComplete((sent, failure) -> {
			long seq = (sent != null) ? sent.message().seq() : -1;
			settle(own, tickets, seq);
			if (sent != null) {
				received.increment();
				answer.stored(sent);
				return;
			}
			Throwable cause = (failure instanceof CompletionException wrapped && wrapped.getCause() != null)
					? wrapped.getCause() : failure;
			if (cause instanceof ChatProblem refused) {
				answer.refused(refused.code(), refused.getMessage());
				return;
			}
			if (cause instanceof DataAccessException || cause instanceof TransactionException) {
				log.warn("Storing a message of {} failed: {}", chat, cause.toString());
			}
			else {
				log.error("Storing a message of {} failed", chat, cause);
			}
			answer.refused("unavailable", "The message could not be stored; it was not sent. Try again.");
		});
	}

	private static void settle(List<Connection> own, long[] tickets, long seq) {
		for (int i = 0; i < tickets.length; i++) {
			own.get(i).feed.sendSettled(tickets[i], seq);
		}
	}

}
