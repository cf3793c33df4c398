package com.marketplace.chat.message;

import java.time.Instant;

import com.marketplace.chat.chats.ChatKey;

/**
 * A row of a chat's stream as committed to MySQL: {@code seq} is its position in its chat
 * (1, 2, 3, ... with no holes) and, within a chat, {@code id} grows with {@code seq}.
 * Most rows are messages; an edit or a delete of one is a row too, so that it reaches
 * every connection in order with the messages.
 *
 * @param content the text: for a message its current text (empty once deleted), for an
 * edit the new text, for a delete empty
 * @param createdAt when the row was stored: for an edit or a delete, when it was made
 * @param kind what the row is
 * @param targetId the message an edit or a delete changes; null for a message
 * @param editedAt when a message was last edited; null for events and unedited messages
 * @param deleted whether a message has been deleted
 */
public record ChatMessage(long id, ChatKey chat, long seq, long senderId, String content, String clientMessageId,
		Instant createdAt, Kind kind, Long targetId, Instant editedAt, boolean deleted) {

	/** A message as it was first stored. */
	public ChatMessage(long id, ChatKey chat, long seq, long senderId, String content, String clientMessageId,
			Instant createdAt) {
		this(id, chat, seq, senderId, content, clientMessageId, createdAt, Kind.MESSAGE, null, null, false);
	}

	public boolean isMessage() {
		return this.kind == Kind.MESSAGE;
	}

	ChatMessage withId(long id) {
		return new ChatMessage(id, this.chat, this.seq, this.senderId, this.content, this.clientMessageId,
				this.createdAt, this.kind, this.targetId, this.editedAt, this.deleted);
	}

	/** What a row of the stream is; {@link #key()} is its {@code kind} column. */
	public enum Kind {

		MESSAGE("message"), EDIT("edit"), DELETE("delete");

		private static final Kind[] KINDS = values();

		private final String key;

		Kind(String key) {
			this.key = key;
		}

		public String key() {
			return this.key;
		}

		public static Kind fromKey(String key) {
			for (Kind kind : KINDS) {
				if (kind.key.equals(key)) {
					return kind;
				}
			}
			throw new IllegalArgumentException("unknown message kind " + key);
		}

	}

}
