package com.marketplace.chat.chats;

import java.time.Instant;

import com.marketplace.chat.security.ChatUser;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A conversation between one client and one master; one per pair. */
@Entity
@Table(name = "service_chats")
class ServiceChat extends ChatEntity {

	@Column(name = "master_id", nullable = false)
	private long masterId;

	protected ServiceChat() {
	}

	ServiceChat(long clientId, long masterId, Instant now) {
		super(clientId, now);
		this.masterId = masterId;
	}

	long getMasterId() {
		return this.masterId;
	}

	@Override
	public boolean mayBeReadBy(ChatUser user) {
		return user.isAdmin() || hasParticipant(user.id());
	}

	public boolean hasParticipant(long userId) {
		return getClientId() == userId || this.masterId == userId;
	}

}
