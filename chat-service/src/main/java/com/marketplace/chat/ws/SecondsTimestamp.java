package com.marketplace.chat.ws;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * A frame's timestamp as the seed wrote it: UTC to the second, without a zone
 * ({@code 2026-12-01T10:00:00}). Every message and ack carries one, and formatting it
 * through a {@code DateTimeFormatter} each time was a twentieth of what a replica
 * allocated at chat-busy; messages of one second share the text, so the last one is kept.
 */
final class SecondsTimestamp extends StdSerializer<Instant> {

	private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
		.withZone(ZoneOffset.UTC);

	private volatile Second last = new Second(Long.MIN_VALUE, "");

	SecondsTimestamp() {
		super(Instant.class);
	}

	@Override
	public void serialize(Instant value, JsonGenerator json, SerializationContext context) {
		json.writeString(text(value));
	}

	String text(Instant value) {
		Second second = this.last;
		if (second.epochSecond != value.getEpochSecond()) {
			second = new Second(value.getEpochSecond(), FORMAT.format(value));
			this.last = second;
		}
		return second.text;
	}

	private record Second(long epochSecond, String text) {
	}

}
