package com.marketplace.chat.chats;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How a chat's counter and participants are read from its row, for every query that reads
 * them by id: the sweep's and the handshake's here, and the message writers' lock.
 */
public final class ChatRows {

	private ChatRows() {
	}

	/** {@code SELECT} of the chats of one kind whose ids are bound to {@code :ids}. */
	public static String selectStates(ChatKind kind) {
		return "SELECT id, client_id, " + kind.otherParticipantColumn() + " AS other_id, last_seq FROM " + kind.table()
				+ " WHERE id IN (:ids)";
	}

	/** The state in the current row of a {@link #selectStates} result. */
	public static ChatState state(ResultSet rs) throws SQLException {
		return new ChatState(rs.getLong("last_seq"),
				new Participants(rs.getLong("client_id"), rs.getObject("other_id", Long.class)));
	}

}
