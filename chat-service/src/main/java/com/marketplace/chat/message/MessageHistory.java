package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.marketplace.chat.chat.ChatKey;

import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reading stored messages back: history pages, resume replays and gap fills. */
@Service
@Transactional(readOnly = true)
public class MessageHistory {

	private final ChatMessageRepository messages;

	MessageHistory(ChatMessageRepository messages) {
		this.messages = messages;
	}

	/**
	 * A page of history in ascending id order. With {@code afterId} the page starts just
	 * after it; otherwise it ends just before {@code beforeId} (or at the newest message).
	 */
	public List<StoredMessage> page(ChatKey chat, Long beforeId, Long afterId, int limit) {
		Limit page = Limit.of(limit);
		if (afterId != null && beforeId != null) {
			return stored(this.messages.findByChatKindAndChatIdAndIdGreaterThanAndIdLessThanOrderByIdAsc(chat.kind(),
					chat.id(), afterId, beforeId, page));
		}
		if (afterId != null) {
			return stored(this.messages.findByChatKindAndChatIdAndIdGreaterThanOrderByIdAsc(chat.kind(), chat.id(),
					afterId, page));
		}
		if (beforeId != null) {
			return reversed(this.messages.findByChatKindAndChatIdAndIdLessThanOrderByIdDesc(chat.kind(), chat.id(),
					beforeId, page));
		}
		return reversed(this.messages.findByChatKindAndChatIdOrderByIdDesc(chat.kind(), chat.id(), page));
	}

	/**
	 * What a reconnecting client missed: the newest {@code cap} messages with id greater
	 * than {@code afterId}, ascending. Older ones are left to the REST history.
	 */
	public List<StoredMessage> newestAfter(ChatKey chat, long afterId, int cap) {
		return reversed(this.messages.findByChatKindAndChatIdAndIdGreaterThanOrderByIdDesc(chat.kind(), chat.id(),
				afterId, Limit.of(cap)));
	}

	/** Messages with {@code fromSeqExclusive < seq <= toSeqInclusive}, in seq order. */
	public List<StoredMessage> bySeq(ChatKey chat, long fromSeqExclusive, long toSeqInclusive) {
		return stored(this.messages.findByChatKindAndChatIdAndSeqGreaterThanAndSeqLessThanEqualOrderBySeqAsc(chat.kind(),
				chat.id(), fromSeqExclusive, toSeqInclusive));
	}

	private static List<StoredMessage> stored(List<ChatMessage> rows) {
		return rows.stream().map(ChatMessage::toStored).toList();
	}

	private static List<StoredMessage> reversed(List<ChatMessage> rows) {
		List<StoredMessage> result = new ArrayList<>(stored(rows));
		Collections.reverse(result);
		return result;
	}

}
