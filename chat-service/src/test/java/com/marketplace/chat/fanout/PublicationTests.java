package com.marketplace.chat.fanout;

import java.time.Instant;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.message.ChatMessage;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** What travels through Redis, and back. */
class PublicationTests {

	private final JsonMapper json = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	@Test
	void aMessageTravelsAsACompactArrayAndComesBackWhole() {
		ChatMessage message = new ChatMessage(41, new ChatKey(ChatKind.SUPPORT, 9), 3, 12, "Привет 😀 \"quoted\"",
				"c-1", Instant.parse("2026-12-01T10:00:00.123456Z"));
		Notice.Message notice = new Notice.Message(message, new Participants(12, null));
		String wire = this.json.writeValueAsString(RedisFanout.Publication.of(notice));
		assertThat(wire).startsWith("[\"message\",41,\"support\",9,3,12,");
		assertThat(this.json.readValue(wire, RedisFanout.Publication.class).toNotice()).isEqualTo(notice);
	}

	@Test
	void aRemovalNamesTheUser() {
		String wire = this.json.writeValueAsString(RedisFanout.Publication.of(new Notice.Removal(77)));
		assertThat(this.json.readValue(wire, RedisFanout.Publication.class).toNotice())
			.isEqualTo(new Notice.Removal(77));
	}

	@Test
	void signalsCarryTheUserAndTheReadPosition() {
		for (Notice notice : new Notice[] { new Notice.Signalled(new Signal.Typing(5)),
				new Notice.Signalled(new Signal.Read(5, 42)) }) {
			String wire = this.json.writeValueAsString(RedisFanout.Publication.of(notice));
			assertThat(this.json.readValue(wire, RedisFanout.Publication.class).toNotice()).isEqualTo(notice);
		}
	}

}
