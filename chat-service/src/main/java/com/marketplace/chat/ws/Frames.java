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

	sealed interface Inbound permits Send, Ping, Auth, Read, Typing {

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
			default -> throw new BadFrame("unknown_type",
					"Unknown frame type '" + type.asString() + "'; expected message, ping, auth, read or typing.");
		};
	}

	private static long seq(JsonNode frame) {
		JsonNode value = frame.get("seq");
		if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
			throw new BadFrame("invalid_seq", "Field 'seq' must be a non-negative integer.");
		}
		return value.asLong();
	}

	private static String requiredString(JsonNode frame, String field, String code) {
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

	/** {@code message}: the seed's fields, names and types, plus {@code seq}. */
	record MessageOut(String type, long id, String content, long senderId, long chatId,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, long seq) {

		static MessageOut of(ChatMessage message) {
			return new MessageOut("message", message.id(), message.content(), message.senderId(), message.chat().id(),
					message.createdAt(), message.seq());
		}

	}

	/** {@code ack}: to the sending connection, once the message is stored. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record AckOut(String type, long id, long seq, String clientMessageId, long chatId,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt) {

		static AckOut of(ChatMessage message) {
			return new AckOut("ack", message.id(), message.seq(), message.clientMessageId(), message.chat().id(),
					message.createdAt());
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
