package com.marketplace.chat.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QueryTokenMaskingTests {

	@Test
	void masksTheTokenParameterWhereverItStands() {
		assertThat(QueryTokenMasking.mask("token=eyJ.abc.def")).isEqualTo("token=***");
		assertThat(QueryTokenMasking.mask("after_id=5&token=eyJ.abc.def&x=1")).isEqualTo("after_id=5&token=***&x=1");
		assertThat(QueryTokenMasking.mask("access_token=keep&mytoken=keep"))
			.isEqualTo("access_token=keep&mytoken=keep");
		assertThat(QueryTokenMasking.mask(null)).isNull();
	}

}
