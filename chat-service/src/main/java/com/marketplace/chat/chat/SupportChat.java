package com.marketplace.chat.chat;

import java.time.Instant;

import com.marketplace.chat.security.ChatUser;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A client's conversation with support; waits in the queue until an agent takes it. */
@Entity
@Table(name = "support_chats")
class SupportChat implements ChatRow {

	enum Status {

		unassigned, assigned

	}

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Column(name = "client_id", nullable = false)
	private long clientId;

	@Column(name = "support_id")
	private Long supportId;

	@Enumerated(EnumType.STRING)
	@Column(name = "status", nullable = false, length = 16)
	private Status status;

	@Column(name = "last_seq", nullable = false)
	private long lastSeq;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	@Column(name = "last_activity_at", nullable = false)
	private Instant lastActivityAt;

	protected SupportChat() {
	}

	SupportChat(long clientId, Instant now) {
		this.clientId = clientId;
		this.status = Status.unassigned;
		this.createdAt = now;
		this.lastActivityAt = now;
	}

	Long getId() {
		return this.id;
	}

	long getClientId() {
		return this.clientId;
	}

	Long getSupportId() {
		return this.supportId;
	}

	Status getStatus() {
		return this.status;
	}

	Instant getCreatedAt() {
		return this.createdAt;
	}

	void assignTo(long supportId, Instant now) {
		this.supportId = supportId;
		this.status = Status.assigned;
		this.lastActivityAt = now;
	}

	@Override
	public long lastSeq() {
		return this.lastSeq;
	}

	@Override
	public long nextSeq(Instant now) {
		this.lastSeq++;
		this.lastActivityAt = now;
		return this.lastSeq;
	}

	/** Participants and admins; support agents may also read a chat waiting in the queue. */
	@Override
	public boolean mayBeReadBy(ChatUser user) {
		return user.isAdmin() || hasParticipant(user.id()) || (user.isSupport() && this.status == Status.unassigned);
	}

	@Override
	public boolean hasParticipant(long userId) {
		return this.clientId == userId || (this.supportId != null && this.supportId == userId);
	}

}
