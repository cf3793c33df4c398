package com.marketplace.chat.message;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import com.marketplace.chat.chat.ChatAccess;
import com.marketplace.chat.chat.ChatAccessDeniedException;
import com.marketplace.chat.chat.ChatKey;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes messages to MySQL, the source of truth. One transaction per message: lock the
 * chat's row, take the next {@code seq}, insert. Nothing is published from here; the
 * caller publishes only after this transaction has committed.
 */
@Component
class MessageStore {

	private final ChatAccess chats;

	private final ChatMessageRepository messages;

	MessageStore(ChatAccess chats, ChatMessageRepository messages) {
		this.chats = chats;
		this.messages = messages;
	}

	/**
	 * Stores a new message, or finds the one this sender already stored under the same
	 * {@code client_message_id}. A concurrent retry that slips past the lookup is stopped
	 * by the unique key and surfaces as a {@code DataIntegrityViolationException}.
	 */
	@Transactional
	Stored store(ChatKey chat, long senderId, String content, String clientMessageId, String origin) {
		Optional<StoredMessage> earlier = findRetry(chat, senderId, clientMessageId);
		if (earlier.isPresent()) {
			return new Stored(earlier.get(), true);
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		long seq = this.chats.takeNextSeq(chat, senderId, now);
		ChatMessage row = this.messages.saveAndFlush(new ChatMessage(chat, seq, senderId, content, clientMessageId, now, origin));
		return new Stored(row.toStored(), false);
	}

	/**
	 * The same as {@link #store} inside a transaction the caller runs for several messages.
	 * Refusals are thrown from here, outside any transactional proxy, so they do not
	 * doom the shared transaction.
	 */
	Stored storeInSharedTransaction(ChatKey chat, long senderId, String content, String clientMessageId,
			String origin) {
		Optional<StoredMessage> earlier = findRetry(chat, senderId, clientMessageId);
		if (earlier.isPresent()) {
			return new Stored(earlier.get(), true);
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		long seq = this.chats.tryTakeNextSeq(chat, senderId, now).orElseThrow(() -> new ChatAccessDeniedException(chat));
		ChatMessage row = this.messages.save(new ChatMessage(chat, seq, senderId, content, clientMessageId, now, origin));
		return new Stored(row.toStored(), false);
	}

	@Transactional(readOnly = true)
	Optional<StoredMessage> findRetry(ChatKey chat, long senderId, String clientMessageId) {
		if (clientMessageId == null) {
			return Optional.empty();
		}
		return this.messages
			.findByChatKindAndChatIdAndSenderIdAndClientMessageId(chat.kind(), chat.id(), senderId, clientMessageId)
			.map(ChatMessage::toStored);
	}

	/** @param duplicate whether this was a retry of a message stored earlier */
	record Stored(StoredMessage message, boolean duplicate) {
	}

}
