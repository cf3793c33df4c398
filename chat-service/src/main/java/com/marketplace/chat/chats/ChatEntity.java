package com.marketplace.chat.chats;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * What both kinds of chat row have: an id, a client, the message counter {@code last_seq}
 * and the time of the last activity that orders chat lists.
 */
@MappedSuperclass
abstract class ChatEntity implements ChatRow {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Column(name = "client_id", nullable = false)
	private long clientId;

	/**
	 * Read-only here: only the message store moves it, under the chat's row lock. A JPA
	 * update of the chat writing back the value it read would take {@code seq} values
	 * back.
	 */
	@Column(name = "last_seq", nullable = false, insertable = false, updatable = false)
	private long lastSeq;

	/**
	 * Messages of the chat not deleted; moved by the message store alone, as is lastSeq.
	 */
	@Column(name = "message_count", nullable = false, insertable = false, updatable = false)
	private long messageCount;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	@Column(name = "last_activity_at", nullable = false)
	private Instant lastActivityAt;

	protected ChatEntity() {
	}

	protected ChatEntity(long clientId, Instant now) {
		this.clientId = clientId;
		this.createdAt = now;
		this.lastActivityAt = now;
	}

	Long getId() {
		return this.id;
	}

	long getClientId() {
		return this.clientId;
	}

	Instant getCreatedAt() {
		return this.createdAt;
	}

	protected void touch(Instant now) {
		this.lastActivityAt = now;
	}

	public long lastSeq() {
		return this.lastSeq;
	}

	public long messageCount() {
		return this.messageCount;
	}

}
