package com.marketplace.chat.chat;

import java.time.Instant;

import com.marketplace.chat.security.ChatUser;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A conversation between one client and one master; one per pair. */
@Entity
@Table(name = "service_chats")
class ServiceChat implements ChatRow {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Column(name = "client_id", nullable = false)
	private long clientId;

	@Column(name = "master_id", nullable = false)
	private long masterId;

	@Column(name = "last_seq", nullable = false)
	private long lastSeq;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	@Column(name = "last_activity_at", nullable = false)
	private Instant lastActivityAt;

	protected ServiceChat() {
	}

	ServiceChat(long clientId, long masterId, Instant now) {
		this.clientId = clientId;
		this.masterId = masterId;
		this.createdAt = now;
		this.lastActivityAt = now;
	}

	Long getId() {
		return this.id;
	}

	long getClientId() {
		return this.clientId;
	}

	long getMasterId() {
		return this.masterId;
	}

	Instant getCreatedAt() {
		return this.createdAt;
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

	@Override
	public boolean mayBeReadBy(ChatUser user) {
		return user.isAdmin() || hasParticipant(user.id());
	}

	@Override
	public boolean hasParticipant(long userId) {
		return this.clientId == userId || this.masterId == userId;
	}

}
