package com.marketplace.chat.chats;

import java.time.Instant;

import com.marketplace.chat.security.ChatUser;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

/** A client's conversation with support; waits in the queue until an agent takes it. */
@Entity
@Table(name = "support_chats")
class SupportChat extends ChatEntity {

	enum Status {

		unassigned, assigned

	}

	@Column(name = "support_id")
	private Long supportId;

	@Enumerated(EnumType.STRING)
	@Column(name = "status", nullable = false, length = 16)
	private Status status;

	protected SupportChat() {
	}

	SupportChat(long clientId, Instant now) {
		super(clientId, now);
		this.status = Status.unassigned;
	}

	Long getSupportId() {
		return this.supportId;
	}

	Status getStatus() {
		return this.status;
	}

	void assignTo(long supportId, Instant now) {
		this.supportId = supportId;
		this.status = Status.assigned;
		touch(now);
	}

	/**
	 * Participants and admins; support agents may also read a chat waiting in the queue.
	 */
	@Override
	public boolean mayBeReadBy(ChatUser user) {
		return user.isAdmin() || hasParticipant(user.id()) || (user.isSupport() && this.status == Status.unassigned);
	}

	public boolean hasParticipant(long userId) {
		return getClientId() == userId || (this.supportId != null && this.supportId == userId);
	}

}
