package com.marketplace.chat.chats;

import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.marketplace.chat.security.ChatUser;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who may use a chat. A service chat's participants are its client and its master; a
 * support chat's are its client and its assigned agent. Admins may read any chat but, not
 * being participants, neither join nor send. Reads only: the message counter
 * {@code last_seq} is moved by the message store alone.
 */
@Service
public class ChatAccess {

	private final ServiceChatRepository serviceChats;

	private final SupportChatRepository supportChats;

	private final JdbcClient jdbc;

	ChatAccess(ServiceChatRepository serviceChats, SupportChatRepository supportChats, JdbcClient jdbc) {
		this.serviceChats = serviceChats;
		this.supportChats = supportChats;
		this.jdbc = jdbc;
	}

	/** Whether the user may connect to the chat and send to it. */
	public boolean isParticipant(ChatUser user, ChatKey key) {
		return state(key).map((chat) -> chat.participants().includes(user.id())).orElse(false);
	}

	/**
	 * Whether the user may read the chat's history: participants, admins, and agents for
	 * a queued support chat.
	 */
	@Transactional(readOnly = true)
	public boolean mayRead(ChatUser user, ChatKey key) {
		return row(key).map((chat) -> chat.mayBeReadBy(user)).orElse(false);
	}

	/**
	 * The chat's last taken {@code seq}: what every replica must have delivered by now.
	 */
	public long lastSeq(ChatKey key) {
		return state(key).orElseThrow(() -> new ChatAccessDeniedException(key)).lastSeq();
	}

	/**
	 * The {@code last_seq} and participants of many chats of one kind in one query (chats
	 * that no longer exist are left out): what the relay's sweep compares with what it
	 * delivered, and with who is connected.
	 */
	@Transactional(readOnly = true)
	public Map<Long, ChatState> states(ChatKind kind, Collection<Long> ids) {
		Map<Long, ChatState> states = new HashMap<>();
		if (ids.isEmpty()) {
			return states;
		}
		this.jdbc.sql(ChatRows.selectStates(kind)).param("ids", ids).query((ResultSet rs) -> {
			states.put(rs.getLong("id"), ChatRows.state(rs));
		});
		return states;
	}

	/** The chat's participants now; empty when it does not exist. */
	@Transactional(readOnly = true)
	public Optional<Participants> participants(ChatKey key) {
		return state(key).map(ChatState::participants);
	}

	/**
	 * The chat's counter and participants in one query, without a transaction of its own:
	 * what a handshake and a replica's first interest in a chat need; empty when it does
	 * not exist.
	 */
	public Optional<ChatState> state(ChatKey key) {
		return Optional.ofNullable(states(key.kind(), List.of(key.id())).get(key.id()));
	}

	private Optional<ChatRow> row(ChatKey key) {
		return switch (key.kind()) {
			case SERVICE -> this.serviceChats.findById(key.id()).map(ChatRow.class::cast);
			case SUPPORT -> this.supportChats.findById(key.id()).map(ChatRow.class::cast);
		};
	}

}
