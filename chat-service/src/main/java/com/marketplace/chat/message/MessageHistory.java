package com.marketplace.chat.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

import com.marketplace.chat.chat.ChatAccess;
import com.marketplace.chat.chat.ChatKey;

import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reading stored messages back: history pages, resume replays and gap fills. */
@Service
@Transactional(readOnly = true)
public class MessageHistory {

	private final ChatMessageRepository messages;

	private final ChatAccess chats;

	MessageHistory(ChatMessageRepository messages, ChatAccess chats) {
		this.messages = messages;
		this.chats = chats;
	}

	/**
	 * A page of history in ascending id order. With {@code afterId} the page starts just
	 * after it; otherwise it ends just before {@code beforeId} (or at the newest message).
	 * <p>
	 * Within a chat {@code seq} runs 1..n without holes in id order, so a page whose anchor
	 * is a message of the chat is a closed {@code seq} range: an index range of exactly
	 * {@code limit} rows however long the chat is. An anchor from elsewhere falls back to
	 * comparing ids.
	 */
	public List<StoredMessage> page(ChatKey chat, Long beforeId, Long afterId, int limit) {
		OptionalLong afterSeq = (afterId == null) ? OptionalLong.empty() : seqOf(chat, afterId);
		OptionalLong beforeSeq = (beforeId == null) ? OptionalLong.empty() : seqOf(chat, beforeId);
		if ((afterId != null && afterSeq.isEmpty()) || (beforeId != null && beforeSeq.isEmpty())) {
			return pageById(chat, beforeId, afterId, limit);
		}
		if (afterSeq.isPresent()) {
			long to = afterSeq.getAsLong() + limit;
			if (beforeSeq.isPresent()) {
				to = Math.min(to, beforeSeq.getAsLong() - 1);
			}
			return bySeq(chat, afterSeq.getAsLong(), to);
		}
		long to = beforeSeq.isPresent() ? beforeSeq.getAsLong() - 1 : this.chats.lastSeq(chat);
		return bySeq(chat, Math.max(0, to - limit), to);
	}

	private List<StoredMessage> pageById(ChatKey chat, Long beforeId, Long afterId, int limit) {
		Limit page = Limit.of(limit);
		if (afterId != null && beforeId != null) {
			return stored(this.messages.findByChatKindAndChatIdAndIdGreaterThanAndIdLessThanOrderByIdAsc(chat.kind(),
					chat.id(), afterId, beforeId, page));
		}
		if (afterId != null) {
			return stored(this.messages.findByChatKindAndChatIdAndIdGreaterThanOrderByIdAsc(chat.kind(), chat.id(),
					afterId, page));
		}
		return reversed(this.messages.findByChatKindAndChatIdAndIdLessThanOrderByIdDesc(chat.kind(), chat.id(),
				beforeId, page));
	}

	/**
	 * What a reconnecting client missed: the newest {@code cap} messages with id greater
	 * than {@code afterId}, ascending. Older ones are left to the REST history.
	 */
	public List<StoredMessage> newestAfter(ChatKey chat, long afterId, int cap) {
		OptionalLong afterSeq = seqOf(chat, afterId);
		if (afterSeq.isEmpty()) {
			return reversed(this.messages.findByChatKindAndChatIdAndIdGreaterThanOrderByIdDesc(chat.kind(), chat.id(),
					afterId, Limit.of(cap)));
		}
		long last = this.chats.lastSeq(chat);
		return bySeq(chat, Math.max(afterSeq.getAsLong(), last - cap), last);
	}

	/** The seq of a message of this chat; 0 for id 0 ("from the start"); empty for an id from elsewhere. */
	private OptionalLong seqOf(ChatKey chat, long id) {
		if (id == 0) {
			return OptionalLong.of(0);
		}
		return this.messages.findSeq(id, chat.kind(), chat.id()).map(OptionalLong::of).orElse(OptionalLong.empty());
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
