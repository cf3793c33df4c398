package com.marketplace.chat.chat;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.marketplace.chat.security.ChatUser;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who may use a chat, and the chat's message counter. A service chat's participants are
 * its client and its master; a support chat's are its client and its assigned agent.
 * Admins may read any chat but, not being participants, neither join nor send.
 */
@Service
public class ChatAccess {

	private final ServiceChatRepository serviceChats;

	private final SupportChatRepository supportChats;

	ChatAccess(ServiceChatRepository serviceChats, SupportChatRepository supportChats) {
		this.serviceChats = serviceChats;
		this.supportChats = supportChats;
	}

	/** Whether the user may connect to the chat and send to it. */
	@Transactional(readOnly = true)
	public boolean isParticipant(ChatUser user, ChatKey key) {
		return row(key, false).map((chat) -> chat.hasParticipant(user.id())).orElse(false);
	}

	/** Whether the user may read the chat's history: participants, admins, and agents for a queued support chat. */
	@Transactional(readOnly = true)
	public boolean mayRead(ChatUser user, ChatKey key) {
		return row(key, false).map((chat) -> chat.mayBeReadBy(user)).orElse(false);
	}

	/**
	 * Locks the chat's row until the surrounding transaction ends and takes the chat's
	 * next {@code seq}, after checking again, under the lock, that the sender still takes
	 * part. Holding the row lock from here to commit is what makes {@code seq} and
	 * {@code id} follow commit order within a chat.
	 * @throws ChatAccessDeniedException when the chat is gone or the sender is not a participant
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public long takeNextSeq(ChatKey key, long senderId, Instant now) {
		return row(key, true).filter((chat) -> chat.hasParticipant(senderId))
			.orElseThrow(() -> new ChatAccessDeniedException(key))
			.nextSeq(now);
	}

	/**
	 * Like {@link #takeNextSeq} but answers "not a participant" with an empty result instead
	 * of an exception, so a transaction shared by several messages is not marked for
	 * rollback by one refused sender.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public OptionalLong tryTakeNextSeq(ChatKey key, long senderId, Instant now) {
		return row(key, true).filter((chat) -> chat.hasParticipant(senderId))
			.map((chat) -> OptionalLong.of(chat.nextSeq(now)))
			.orElse(OptionalLong.empty());
	}

	/** The chat's last taken {@code seq}: what every replica must have delivered by now. */
	@Transactional(readOnly = true)
	public long lastSeq(ChatKey key) {
		return row(key, false).orElseThrow(() -> new ChatAccessDeniedException(key)).lastSeq();
	}

	/**
	 * The {@code last_seq} of many chats of one kind in one query (chats that no longer
	 * exist are left out): what the relay's sweep compares with what it delivered.
	 */
	@Transactional(readOnly = true)
	public Map<Long, Long> lastSeqs(ChatKind kind, Collection<Long> ids) {
		List<SeqOfChat> rows = switch (kind) {
			case SERVICE -> this.serviceChats.findLastSeqs(ids);
			case SUPPORT -> this.supportChats.findLastSeqs(ids);
		};
		Map<Long, Long> seqs = new HashMap<>();
		rows.forEach((row) -> seqs.put(row.getId(), row.getLastSeq()));
		return seqs;
	}

	private Optional<ChatRow> row(ChatKey key, boolean forUpdate) {
		return switch (key.kind()) {
			case SERVICE -> (forUpdate ? this.serviceChats.findForUpdate(key.id()) : this.serviceChats.findById(key.id()))
				.map(ChatRow.class::cast);
			case SUPPORT -> (forUpdate ? this.supportChats.findForUpdate(key.id()) : this.supportChats.findById(key.id()))
				.map(ChatRow.class::cast);
		};
	}

}
