package com.marketplace.chat.message;

import java.time.Instant;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.chat.ChatKind;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "chat_messages")
class ChatMessage {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Convert(converter = KindColumn.class)
	@Column(name = "chat_kind", nullable = false, length = 16)
	private ChatKind chatKind;

	@Column(name = "chat_id", nullable = false)
	private long chatId;

	@Column(name = "seq", nullable = false)
	private long seq;

	@Column(name = "sender_id", nullable = false)
	private long senderId;

	@Column(name = "content", nullable = false, length = 8000)
	private String content;

	@Column(name = "client_message_id", length = 64)
	private String clientMessageId;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	@Column(name = "origin", length = 64)
	private String origin;

	protected ChatMessage() {
	}

	ChatMessage(ChatKey chat, long seq, long senderId, String content, String clientMessageId, Instant createdAt,
			String origin) {
		this.origin = origin;
		this.chatKind = chat.kind();
		this.chatId = chat.id();
		this.seq = seq;
		this.senderId = senderId;
		this.content = content;
		this.clientMessageId = clientMessageId;
		this.createdAt = createdAt;
	}

	StoredMessage toStored() {
		return new StoredMessage(this.id, new ChatKey(this.chatKind, this.chatId), this.seq, this.senderId, this.content,
				this.clientMessageId, this.createdAt, this.origin);
	}

	/** Stores the kind as its lower-case key ({@code service}, {@code support}). */
	@Converter
	static class KindColumn implements AttributeConverter<ChatKind, String> {

		@Override
		public String convertToDatabaseColumn(ChatKind kind) {
			return kind.key();
		}

		@Override
		public ChatKind convertToEntityAttribute(String key) {
			return ChatKind.fromKey(key).orElseThrow(() -> new IllegalStateException("unknown chat_kind " + key));
		}

	}

}
