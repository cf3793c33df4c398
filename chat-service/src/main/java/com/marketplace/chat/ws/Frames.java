package com.marketplace.chat.ws;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.marketplace.chat.message.ChatMessage;

import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.json.JsonMapper;

/**
 * The frames of the protocol (see the protocol reference in the README). Inbound text is
 * checked field by field so every kind of bad input gets its own stable error code.
 */
final class Frames {

	private Frames() {
	}

	sealed interface Inbound permits Send, Ping, Auth, Read, Typing, Edit, Delete {

	}

	record Send(String content, String clientMessageId) implements Inbound {
	}

	record Ping() implements Inbound {
	}

	record Auth(String token) implements Inbound {
	}

	/** The sender has read the chat up to {@code seq}. */
	record Read(long seq) implements Inbound {
	}

	record Typing() implements Inbound {
	}

	/** Replace the text of one's own message {@code id}. */
	record Edit(long id, String content) implements Inbound {
	}

	/** Delete one's own message {@code id}. */
	record Delete(long id) implements Inbound {
	}

	/** A frame that cannot be acted on; answered with an {@code error} frame. */
	static final class BadFrame extends RuntimeException {

		private final String code;

		BadFrame(String code, String message) {
			super(message, null, false, false);
			this.code = code;
		}

		String code() {
			return this.code;
		}

	}

	static Inbound parse(JsonMapper json, String text) {
		FrameFields frame = FrameFields.read(json, text);
		if (!(frame.type instanceof String type)) {
			throw new BadFrame("invalid_frame", "A frame needs a string field 'type'.");
		}
		return switch (type) {
			case "message" -> new Send(required(frame.content, "content", "invalid_content"),
					optional(frame.clientMessageId, "client_message_id", "invalid_client_message_id"));
			case "ping" -> new Ping();
			case "auth" -> new Auth(required(frame.token, "token", "invalid_token"));
			case "read" -> new Read(seq(frame.seq));
			case "typing" -> new Typing();
			case "edit" -> new Edit(messageId(frame.id), required(frame.content, "content", "invalid_content"));
			case "delete" -> new Delete(messageId(frame.id));
			default -> throw new BadFrame("unknown_type",
					"Unknown frame type '" + type + "'; expected message, ping, auth, read, typing, edit or delete.");
		};
	}

	static long messageId(Object value) {
		if (!(value instanceof Long id) || id < 1) {
			throw new BadFrame("invalid_message_id", "Field 'id' must be the positive id of a message.");
		}
		return id;
	}

	static long seq(Object value) {
		if (!(value instanceof Long seq) || seq < 0) {
			throw new BadFrame("invalid_seq", "Field 'seq' must be a non-negative integer.");
		}
		return seq;
	}

	static String required(Object value, String field, String code) {
		if (value == null || value == FrameFields.NULL) {
			throw new BadFrame(code, "Field '" + field + "' is required.");
		}
		return optional(value, field, code);
	}

	static String optional(Object value, String field, String code) {
		if (value == null || value == FrameFields.NULL) {
			return null;
		}
		if (!(value instanceof String string)) {
			throw new BadFrame(code, "Field '" + field + "' must be a string.");
		}
		return string;
	}

	/** {@code typing}: the user is typing (never stored). */
	record TypingOut(String type, long userId) {

		static TypingOut of(long userId) {
			return new TypingOut("typing", userId);
		}

	}

	/**
	 * {@code presence}: the user is connected to the chat on some replica, or no longer
	 * on any.
	 */
	record PresenceOut(String type, long userId, boolean online) {

		static PresenceOut of(long userId, boolean online) {
			return new PresenceOut("presence", userId, online);
		}

	}

	/** {@code read}: the user has read the chat up to {@code seq}. */
	record ReadOut(String type, long userId, long seq) {

		static ReadOut of(long userId, long seq) {
			return new ReadOut("read", userId, seq);
		}

	}

	/**
	 * The frame of a row of the chat's stream: {@code message}, {@code edited} or
	 * {@code deleted}.
	 */
	static Object of(ChatMessage row) {
		return switch (row.kind()) {
			case MESSAGE -> MessageOut.of(row);
			case EDIT -> new EditedOut("edited", row.id(), row.targetId(), row.content(), row.senderId(),
					row.chat().id(), row.createdAt(), row.seq());
			case DELETE -> new DeletedOut("deleted", row.id(), row.targetId(), row.senderId(), row.chat().id(),
					row.createdAt(), row.seq());
		};
	}

	/**
	 * {@code message}: the seed's fields, names and types, plus {@code seq}; a message
	 * replayed after it was changed also says {@code edited_at} or {@code deleted}.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record MessageOut(String type, long id, String content, long senderId, long chatId,
			@JsonSerialize(using = SecondsTimestamp.class) Instant createdAt, long seq,
			@JsonSerialize(using = SecondsTimestamp.class) Instant editedAt, Boolean deleted) {

		static MessageOut of(ChatMessage message) {
			return new MessageOut("message", message.id(), message.content(), message.senderId(), message.chat().id(),
					message.createdAt(), message.seq(), message.editedAt(), message.deleted() ? Boolean.TRUE : null);
		}

	}

	/**
	 * {@code edited}: message {@code message_id} now reads {@code content}; {@code id}
	 * and {@code seq} are the edit's own place in the chat's stream.
	 */
	record EditedOut(String type, long id, long messageId, String content, long senderId, long chatId,
			@JsonSerialize(using = SecondsTimestamp.class) Instant editedAt, long seq) {
	}

	/**
	 * {@code deleted}: message {@code message_id} is gone; {@code id} and {@code seq} as
	 * for edits.
	 */
	record DeletedOut(String type, long id, long messageId, long senderId, long chatId,
			@JsonSerialize(using = SecondsTimestamp.class) Instant deletedAt, long seq) {
	}

	/**
	 * {@code ack}: to the sending connection, once the message is stored; for an edit or
	 * delete, {@code id} and {@code seq} are the event's and {@code message_id} names the
	 * message it changed.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record AckOut(String type, long id, long seq, String clientMessageId, long chatId,
			@JsonSerialize(using = SecondsTimestamp.class) Instant createdAt, Long messageId) {

		static AckOut of(ChatMessage message) {
			return new AckOut("ack", message.id(), message.seq(), message.clientMessageId(), message.chat().id(),
					message.createdAt(), message.targetId());
		}

	}

	record PongOut(String type) {

		static final PongOut PONG = new PongOut("pong");

	}

	/**
	 * Answer to an accepted {@code auth} frame: the connection now lives until
	 * {@code expires_at}.
	 */
	record AuthOut(String type, @JsonSerialize(using = SecondsTimestamp.class) Instant expiresAt) {
	}

	record ErrorOut(String type, String code, String message) {

		static ErrorOut of(String code, String message) {
			return new ErrorOut("error", code, message);
		}

	}

}
