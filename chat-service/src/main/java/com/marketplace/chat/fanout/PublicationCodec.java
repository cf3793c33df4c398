package com.marketplace.chat.fanout;

import java.io.StringWriter;

import com.marketplace.chat.fanout.RedisFanout.Publication;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes and reads a {@link Publication} as its JSON array, token by token: every message
 * is written once and read on every replica, and data binding (a property buffer, boxed
 * numbers and a deserialization context for each) cost a fifth of what a replica
 * allocated at chat-busy. The wire is the same array data binding made: the record's
 * fields in order, {@code createdAt} as an ISO-8601 instant ({@link InstantText}). An
 * array shorter than the record (a publisher of an earlier version) leaves the missing
 * fields null.
 */
final class PublicationCodec {

	private final JsonFactory factory = JsonFactory.builder().build();

	private final InstantText instants = new InstantText();

	String write(Publication publication) {
		StringWriter out = new StringWriter(
				128 + ((publication.content() != null) ? publication.content().length() : 0));
		try (JsonGenerator json = this.factory.createGenerator(ObjectWriteContext.empty(), out)) {
			json.writeStartArray();
			string(json, publication.type());
			number(json, publication.id());
			string(json, publication.chatKind());
			number(json, publication.chatId());
			number(json, publication.seq());
			number(json, publication.senderId());
			string(json, publication.content());
			string(json, publication.clientMessageId());
			string(json, (publication.createdAt() != null) ? this.instants.write(publication.createdAt()) : null);
			number(json, publication.clientId());
			number(json, publication.otherId());
			number(json, publication.userId());
			number(json, publication.targetId());
			json.writeEndArray();
		}
		return out.toString();
	}

	/**
	 * @throws tools.jackson.core.JacksonException when the text is not such an array
	 */
	Publication read(String wire) {
		try (JsonParser json = this.factory.createParser(ObjectReadContext.empty(), wire)) {
			if (json.nextToken() != JsonToken.START_ARRAY) {
				throw new StreamReadException(json, "a publication is a JSON array");
			}
			Fields fields = new Fields(json);
			String type = fields.string();
			Long id = fields.number();
			String chatKind = fields.string();
			Long chatId = fields.number();
			Long seq = fields.number();
			Long senderId = fields.number();
			String content = fields.string();
			String clientMessageId = fields.string();
			String createdAt = fields.string();
			Long clientId = fields.number();
			Long otherId = fields.number();
			Long userId = fields.number();
			Long targetId = fields.number();
			if (type == null) {
				throw new StreamReadException(json, "a publication starts with its type");
			}
			return new Publication(type, id, chatKind, chatId, seq, senderId, content, clientMessageId,
					(createdAt != null) ? this.instants.read(createdAt) : null, clientId, otherId, userId, targetId);
		}
	}

	private static void string(JsonGenerator json, String value) {
		if (value == null) {
			json.writeNull();
		}
		else {
			json.writeString(value);
		}
	}

	private static void number(JsonGenerator json, Long value) {
		if (value == null) {
			json.writeNull();
		}
		else {
			json.writeNumber(value);
		}
	}

	/** The array's values in order; past its end every field is null. */
	private static final class Fields {

		private final JsonParser json;

		private boolean ended;

		Fields(JsonParser json) {
			this.json = json;
		}

		private JsonToken next() {
			if (this.ended) {
				return JsonToken.END_ARRAY;
			}
			JsonToken token = this.json.nextToken();
			if (token == JsonToken.END_ARRAY || token == null) {
				this.ended = true;
				return JsonToken.END_ARRAY;
			}
			return token;
		}

		String string() {
			JsonToken token = next();
			return switch (token) {
				case VALUE_STRING -> this.json.getString();
				case VALUE_NULL, END_ARRAY -> null;
				default -> throw new StreamReadException(this.json, "expected a string or null, found " + token);
			};
		}

		Long number() {
			JsonToken token = next();
			return switch (token) {
				case VALUE_NUMBER_INT -> this.json.getLongValue();
				case VALUE_NULL, END_ARRAY -> null;
				default -> throw new StreamReadException(this.json, "expected an integer or null, found " + token);
			};
		}

	}

}
