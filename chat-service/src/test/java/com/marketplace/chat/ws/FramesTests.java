package com.marketplace.chat.ws;

import java.time.Instant;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.message.ChatMessage;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire shapes, byte for byte, as the seed documents them. */
class FramesTests {

	private final JsonMapper json = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	private final ChatMessage message = new ChatMessage(7, new ChatKey(ChatKind.SERVICE, 3), 2, 11, "Привет", "c-9",
			Instant.parse("2024-01-01T12:00:00.123456Z"));

	@Test
	void writesMessageFramesInTheSeedsShapePlusSeq() {
		assertThat(this.json.writeValueAsString(Frames.MessageOut.of(this.message))).isEqualTo(
				"{\"type\":\"message\",\"id\":7,\"content\":\"Привет\",\"sender_id\":11,\"chat_id\":3,\"created_at\":\"2024-01-01T12:00:00\",\"seq\":2}");
	}

	@Test
	void writesAcksWithTheClientMessageIdOnlyWhenThereIsOne() {
		assertThat(this.json.writeValueAsString(Frames.AckOut.of(this.message))).isEqualTo(
				"{\"type\":\"ack\",\"id\":7,\"seq\":2,\"client_message_id\":\"c-9\",\"chat_id\":3,\"created_at\":\"2024-01-01T12:00:00\"}");
		ChatMessage anonymous = new ChatMessage(7, new ChatKey(ChatKind.SERVICE, 3), 2, 11, "x", null,
				Instant.parse("2024-01-01T12:00:00Z"));
		assertThat(this.json.writeValueAsString(Frames.AckOut.of(anonymous))).doesNotContain("client_message_id");
	}

	@Test
	void readsTheThreeClientFrames() {
		assertThat(Frames.parse(this.json, "{\"type\":\"message\",\"content\":\"hi\",\"client_message_id\":\"a\"}"))
			.isEqualTo(new Frames.Send("hi", "a"));
		assertThat(Frames.parse(this.json, "{\"type\":\"message\",\"content\":\"hi\",\"extra\":true}"))
			.as("unknown fields are ignored, as old clients expect")
			.isEqualTo(new Frames.Send("hi", null));
		assertThat(Frames.parse(this.json, "{\"type\":\"ping\"}")).isEqualTo(new Frames.Ping());
		assertThat(Frames.parse(this.json, "{\"type\":\"auth\",\"token\":\"t\"}")).isEqualTo(new Frames.Auth("t"));
	}

	@Test
	void namesEachKindOfBadInput() {
		assertCode("", "invalid_json");
		assertCode("{", "invalid_json");
		assertCode("null", "invalid_frame");
		assertCode("42", "invalid_frame");
		assertCode("{\"type\":null}", "invalid_frame");
		assertCode("{\"type\":\"MESSAGE\",\"content\":\"x\"}", "unknown_type");
		assertCode("{\"type\":\"message\",\"content\":{}}", "invalid_content");
		assertCode("{\"type\":\"message\",\"content\":\"x\",\"client_message_id\":[]}", "invalid_client_message_id");
		assertCode("{\"type\":\"auth\",\"token\":1}", "invalid_token");
	}

	private void assertCode(String text, String code) {
		assertThatThrownBy(() -> Frames.parse(this.json, text)).isInstanceOfSatisfying(Frames.BadFrame.class,
				(bad) -> assertThat(bad.code()).as(text).isEqualTo(code));
	}

}
