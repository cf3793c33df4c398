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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What travels through Redis, and back. */
class PublicationTests {

	private final JsonMapper json = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	private final PublicationCodec codec = new PublicationCodec();

	/** Through the codec, checked against what data binding makes of the same record. */
	private Notice roundTrip(Notice notice) {
		RedisFanout.Publication publication = RedisFanout.Publication.of(notice);
		String wire = this.codec.write(publication);
		assertThat(wire).as("the same array as data binding writes")
			.isEqualTo(this.json.writeValueAsString(publication));
		assertThat(this.codec.read(wire)).isEqualTo(publication);
		return this.codec.read(wire).toNotice();
	}

	@Test
	void aMessageTravelsAsACompactArrayAndComesBackWhole() {
		ChatMessage message = new ChatMessage(41, new ChatKey(ChatKind.SUPPORT, 9), 3, 12, "Привет 😀 \"quoted\"",
				"c-1", Instant.parse("2026-12-01T10:00:00.123456Z"));
		Notice.Message notice = new Notice.Message(message, new Participants(12, null));
		String wire = this.codec.write(RedisFanout.Publication.of(notice));
		assertThat(wire).startsWith("[\"message\",41,\"support\",9,3,12,");
		assertThat(roundTrip(notice)).isEqualTo(notice);
	}

	@Test
	void aRemovalNamesTheUser() {
		assertThat(roundTrip(new Notice.Removal(77))).isEqualTo(new Notice.Removal(77));
	}

	@Test
	void signalsCarryTheUserAndTheReadPosition() {
		for (Notice notice : new Notice[] { new Notice.Signalled(new Signal.Typing(5)),
				new Notice.Signalled(new Signal.Read(5, 42)) }) {
			assertThat(roundTrip(notice)).isEqualTo(notice);
		}
	}

	@Test
	void editsDeletesAndPresenceTravelToo() {
		ChatMessage edit = new ChatMessage(50, new ChatKey(ChatKind.SERVICE, 2), 7, 12, "fixed", null,
				Instant.parse("2026-12-01T10:05:00Z"), ChatMessage.Kind.EDIT, 41L, null, false);
		Notice notice = new Notice.Message(edit, new Participants(12, 13L));
		assertThat(roundTrip(notice)).isEqualTo(notice);
		Notice online = new Notice.Signalled(new Signal.Presence(5, true));
		assertThat(roundTrip(online)).isEqualTo(online);
	}

	@Test
	void anArrayFromAnEarlierVersionWithoutTheLastFieldsIsRead() {
		String earlier = "[\"message\",41,\"service\",9,3,12,\"hi\",null,\"2026-12-01T10:00:00Z\",12,13,null]";
		Notice.Message read = (Notice.Message) this.codec.read(earlier).toNotice();
		assertThat(read.message().content()).isEqualTo("hi");
		assertThat(read.message().kind()).isEqualTo(ChatMessage.Kind.MESSAGE);
		assertThat(read.message().targetId()).isNull();
	}

	@Test
	void whatIsNotAPublicationIsRefused() {
		for (String bad : new String[] { "{}", "[1]", "[\"message\",\"x\"]", "not json", "" }) {
			assertThatThrownBy(() -> this.codec.read(bad)).as(bad)
				.isInstanceOf(tools.jackson.core.JacksonException.class);
		}
	}

}
