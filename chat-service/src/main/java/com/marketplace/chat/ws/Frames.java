package com.marketplace.chat.ws;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.marketplace.chat.message.ChatMessage;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The frames of the protocol (see the protocol reference in the README). Inbound text is
 * checked field by field so every kind of bad input gets its own stable error code.
 */
final class Frames {

	static final String TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss";

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
		JsonNode frame;
		try {
			frame = json.readTree(text);
		}
		catch (JacksonException ex) {
			throw new BadFrame("invalid_json", "The frame is not valid JSON.");
		}
		if (frame == null || frame.isMissingNode()) {
			throw new BadFrame("invalid_json", "The frame is empty.");
		}
		if (!frame.isObject()) {
			throw new BadFrame("invalid_frame", "A frame must be a JSON object.");
		}
		JsonNode type = frame.get("type");
		if (type == null || !type.isString()) {
			throw new BadFrame("invalid_frame", "A frame needs a string field 'type'.");
		}
		return switch (type.asString()) {
			case "message" -> new Send(requiredString(frame, "content", "invalid_content"),
					optionalString(frame, "client_message_id", "invalid_client_message_id"));
			case "ping" -> new Ping();
			case "auth" -> new Auth(requiredString(frame, "token", "invalid_token"));
			case "read" -> new Read(seq(frame));
			case "typing" -> new Typing();
			case "edit" -> new Edit(messageId(frame), requiredString(frame, "content", "invalid_content"));
			case "delete" -> new Delete(messageId(frame));
			default -> throw new BadFrame("unknown_type", "Unknown frame type '" + type.asString()
					+ "'; expected message, ping, auth, read, typing, edit or delete.");
		};
	}

	/** The {@code id} of the message an edit or delete names. */
	static long messageId(JsonNode frame) {
		JsonNode value = frame.get("id");
		if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1) {
			throw new BadFrame("invalid_message_id", "Field 'id' must be the positive id of a message.");
		}
		return value.asLong();
	}

	private static long seq(JsonNode frame) {
		JsonNode value = frame.get("seq");
		if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
			throw new BadFrame("invalid_seq", "Field 'seq' must be a non-negative integer.");
		}
		return value.asLong();
	}

	static String requiredString(JsonNode frame, String field, String code) {
		JsonNode value = frame.get(field);
		if (value == null || value.isNull()) {
			throw new BadFrame(code, "Field '" + field + "' is required.");
		}
		if (!value.isString()) {
			throw new BadFrame(code, "Field '" + field + "' must be a string.");
		}
		return value.asString();
	}

	private static String optionalString(JsonNode frame, String field, String code) {
		JsonNode value = frame.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new BadFrame(code, "Field '" + field + "' must be a string.");
		}
		return value.asString();
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
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, long seq,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant editedAt, Boolean deleted) {

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
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant editedAt, long seq) {
	}

	/**
	 * {@code deleted}: message {@code message_id} is gone; {@code id} and {@code seq} as
	 * for edits.
	 */
	record DeletedOut(String type, long id, long messageId, long senderId, long chatId,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant deletedAt, long seq) {
	}

	/**
	 * {@code ack}: to the sending connection, once the message is stored; for an edit or
	 * delete, {@code id} and {@code seq} are the event's and {@code message_id} names the
	 * message it changed.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record AckOut(String type, long id, long seq, String clientMessageId, long chatId,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, Long messageId) {

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
	record AuthOut(String type, @JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant expiresAt) {
	}

	record ErrorOut(String type, String code, String message) {

		static ErrorOut of(String code, String message) {
			return new ErrorOut("error", code, message);
		}

	}

}
