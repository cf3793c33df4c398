package com.marketplace.chat.message;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentRulesTests {

	@ParameterizedTest
	@ValueSource(strings = { "nul \u0000 inside", "bell \u0007", "escape \u001b[31m", "delete \u007f", "c1 \u0085",
			"lone high \ud800 surrogate", "lone low \udc00 surrogate", "reversed pair \udc00\ud800",
			"ends high \ud83d" })
	void refusesControlCharactersAndLoneSurrogatesInContent(String content) {
		assertThatThrownBy(() -> ContentRules.content(content, 4000))
			.isInstanceOfSatisfying(InvalidMessageException.class, (ex) -> {
				assertThat(ex.code()).isEqualTo("invalid_content");
				assertThat(ex.getMessage()).contains("U+");
			});
	}

	@Test
	void keepsTabsNewlinesAndWholeSurrogatePairs() {
		String text = "line one\n\tindented 😀 𝄞 Привет";
		assertThat(ContentRules.content(text, 4000)).isSameAs(text);
	}

	@Test
	void turnsCarriageReturnsIntoNewlines() {
		assertThat(ContentRules.content("windows\r\nold mac\rend", 4000)).isEqualTo("windows\nold mac\nend");
	}

	@Test
	void countsCodePointsAfterNormalising() {
		assertThat(ContentRules.content("😀".repeat(3), 3)).isEqualTo("😀😀😀");
		assertThatThrownBy(() -> ContentRules.content("😀".repeat(4), 3)).isInstanceOfSatisfying(
				InvalidMessageException.class, (ex) -> assertThat(ex.code()).isEqualTo("content_too_long"));
		assertThat(ContentRules.content("a\r\nb", 3)).isEqualTo("a\nb");
	}

	@Test
	void refusesBlankContentEvenWhenOnlyLineBreaks() {
		assertThatThrownBy(() -> ContentRules.content("\r\n\t ", 4000)).isInstanceOfSatisfying(
				InvalidMessageException.class, (ex) -> assertThat(ex.code()).isEqualTo("invalid_content"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "tab\tid", "new\nline", "nul\u0000", "lone\ud800" })
	void refusesControlCharactersAndLoneSurrogatesInClientMessageIds(String id) {
		assertThatThrownBy(() -> ContentRules.clientMessageId(id, 64)).isInstanceOfSatisfying(
				InvalidMessageException.class, (ex) -> assertThat(ex.code()).isEqualTo("invalid_client_message_id"));
	}

	@Test
	void keepsClientMessageIdsExactlyAsSent() {
		assertThat(ContentRules.clientMessageId("abc ", 64)).isEqualTo("abc ");
		assertThat(ContentRules.clientMessageId(null, 64)).isNull();
	}

}
