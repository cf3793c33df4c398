package com.marketplace.chat.ws;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

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
	void writesEveryTimestampToTheSecondInUtcAsTheSeedDid() {
		DateTimeFormatter seed = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
		SecondsTimestamp timestamps = new SecondsTimestamp();
		Instant second = Instant.parse("2026-12-01T23:59:58Z");
		for (long millis = 0; millis < 3_000; millis += 7) {
			Instant instant = second.plusMillis(millis);
			assertThat(timestamps.text(instant)).as(instant.toString()).isEqualTo(seed.format(instant));
		}
		assertThat(timestamps.text(Instant.parse("2024-01-01T12:00:00.999Z"))).isEqualTo("2024-01-01T12:00:00");
		assertThat(timestamps.text(Instant.parse("2026-12-02T00:00:00.5Z"))).isEqualTo("2026-12-02T00:00:00");
		ChatMessage edit = new ChatMessage(8, new ChatKey(ChatKind.SERVICE, 3), 3, 11, "fixed", null,
				Instant.parse("2024-01-01T12:00:05.5Z"), ChatMessage.Kind.EDIT, 7L, null, false);
		assertThat(this.json.writeValueAsString(Frames.of(edit))).contains("\"edited_at\":\"2024-01-01T12:00:05\"");
		assertThat(this.json
			.writeValueAsString(new Frames.AuthOut("authenticated", Instant.parse("2024-01-01T13:00:00Z"))))
			.isEqualTo("{\"type\":\"authenticated\",\"expires_at\":\"2024-01-01T13:00:00\"}");
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

	@Test
	void readsTheWholeTextSoAFaultAnywhereIsInvalidJson() {
		assertCode("{\"type\":\"ping\"} {}", "invalid_json");
		assertCode("{\"type\":\"ping\"}]", "invalid_json");
		assertCode("{\"type\":\"ping\",\"extra\":{\"a\":[1,}}", "invalid_json");
		assertCode("[1, 2", "invalid_json");
		assertCode("   ", "invalid_json");
		assertCode("[1, {\"type\":\"ping\"}]", "invalid_frame");
		assertCode("\"ping\"", "invalid_frame");
		assertCode("{\"type\":[\"ping\"]}", "invalid_frame");
		assertThat(Frames.parse(this.json, " {\"extra\":{\"type\":\"auth\"},\"type\":\"ping\"}\n"))
			.as("only top-level fields count")
			.isEqualTo(new Frames.Ping());
		assertThat(Frames.parse(this.json, "{\"type\":\"message\",\"content\":\"a\",\"content\":\"b\"}"))
			.as("a field given twice counts as its last value, as in a tree")
			.isEqualTo(new Frames.Send("b", null));
	}

	@Test
	void readsPositionsAndMessageIdsAsWholeNumbersOnly() {
		assertThat(Frames.parse(this.json, "{\"type\":\"read\",\"seq\":0}")).isEqualTo(new Frames.Read(0));
		assertThat(Frames.parse(this.json, "{\"id\":9223372036854775807,\"type\":\"delete\"}"))
			.isEqualTo(new Frames.Delete(Long.MAX_VALUE));
		assertThat(Frames.parse(this.json, "{\"type\":\"edit\",\"id\":4,\"content\":\"new\"}"))
			.isEqualTo(new Frames.Edit(4, "new"));
		for (String seq : new String[] { "-1", "1.5", "\"3\"", "null", "true", "9223372036854775808", "{}" }) {
			assertCode("{\"type\":\"read\",\"seq\":" + seq + "}", "invalid_seq");
		}
		assertCode("{\"type\":\"read\"}", "invalid_seq");
		for (String id : new String[] { "0", "2.0", "\"4\"", "[4]", "99999999999999999999" }) {
			assertCode("{\"type\":\"delete\",\"id\":" + id + "}", "invalid_message_id");
		}
		assertCode("{\"type\":\"edit\",\"id\":4}", "invalid_content");
		assertCode("{\"type\":\"message\",\"content\":null}", "invalid_content");
		assertThat(Frames.parse(this.json, "{\"type\":\"message\",\"content\":\"x\",\"client_message_id\":null}"))
			.isEqualTo(new Frames.Send("x", null));
	}

	private void assertCode(String text, String code) {
		assertThatThrownBy(() -> Frames.parse(this.json, text)).isInstanceOfSatisfying(Frames.BadFrame.class,
				(bad) -> assertThat(bad.code()).as(text).isEqualTo(code));
	}

}
