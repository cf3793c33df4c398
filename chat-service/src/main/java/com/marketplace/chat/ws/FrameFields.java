package com.marketplace.chat.ws;

import java.util.function.Supplier;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level fields of a client frame (or a STOMP {@code SEND}'s body) that some frame
 * type reads, taken token by token in one pass: a tree of every frame (a map, a node per
 * value) was a twentieth of what a replica allocated at chat-busy. The whole text is
 * still read, so what is not JSON, or has anything after the object, is
 * {@code invalid_json} wherever the fault is; a field given twice counts as its last
 * value, as in a tree; fields no frame reads are skipped without their values being made.
 */
final class FrameFields {

	/** A field given as JSON {@code null}. */
	static final Object NULL = new Object();

	/**
	 * A field given as something its frames cannot use: an object, array, fraction, huge
	 * number or boolean.
	 */
	static final Object OTHER = new Object();

	/**
	 * Each field as absent ({@code null}), {@link #NULL}, a String, a Long or
	 * {@link #OTHER}.
	 */
	Object type;

	Object content;

	Object clientMessageId;

	Object token;

	Object seq;

	Object id;

	private FrameFields() {
	}

	/**
	 * @throws Frames.BadFrame {@code invalid_json} for what is not one JSON value,
	 * {@code invalid_frame} for a value that is not an object
	 */
	static FrameFields read(JsonMapper json, String text) {
		return read(() -> json.createParser(text));
	}

	/** A STOMP {@code SEND}'s body, read by the same rules. */
	static FrameFields read(JsonMapper json, byte[] body) {
		return read(() -> json.createParser(body));
	}

	private static FrameFields read(Supplier<JsonParser> open) {
		FrameFields fields = new FrameFields();
		boolean object;
		try (JsonParser parser = open.get()) {
			JsonToken first = parser.nextToken();
			if (first == null) {
				throw new Frames.BadFrame("invalid_json", "The frame is empty.");
			}
			object = first == JsonToken.START_OBJECT;
			if (object) {
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					String name = parser.currentName();
					JsonToken token = parser.nextToken();
					switch (name) {
						case "type" -> fields.type = value(parser, token);
						case "content" -> fields.content = value(parser, token);
						case "client_message_id" -> fields.clientMessageId = value(parser, token);
						case "token" -> fields.token = value(parser, token);
						case "seq" -> fields.seq = value(parser, token);
						case "id" -> fields.id = value(parser, token);
						default -> parser.skipChildren();
					}
				}
			}
			else {
				parser.skipChildren();
			}
			if (parser.nextToken() != null) {
				throw new Frames.BadFrame("invalid_json", "The frame is not valid JSON.");
			}
		}
		catch (JacksonException ex) {
			throw new Frames.BadFrame("invalid_json", "The frame is not valid JSON.");
		}
		if (!object) {
			throw new Frames.BadFrame("invalid_frame", "A frame must be a JSON object.");
		}
		return fields;
	}

	private static Object value(JsonParser parser, JsonToken token) {
		return switch (token) {
			case VALUE_STRING -> parser.getString();
			case VALUE_NULL -> NULL;
			case VALUE_NUMBER_INT ->
				(parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) ? OTHER : (Object) parser.getLongValue();
			case START_OBJECT, START_ARRAY -> {
				parser.skipChildren();
				yield OTHER;
			}
			default -> OTHER;
		};
	}

}
