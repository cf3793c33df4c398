package com.marketplace.chat.chats;

import org.springframework.http.HttpStatus;

/** List sizes: 1 to 200, 50 when not given. */
final class Paging {

	static final int MAX = 200;

	private Paging() {
	}

	static int validLimit(int limit) {
		if (limit < 1 || limit > MAX) {
			throw Problems.of(HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX + ".");
		}
		return limit;
	}

}
