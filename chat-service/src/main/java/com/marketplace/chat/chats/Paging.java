package com.marketplace.chat.chats;

import com.marketplace.chat.problems.ChatProblem;

/** List sizes: 1 to 200, 50 when not given. */
final class Paging {

	static final int MAX = 200;

	private Paging() {
	}

	/** The limit asked for, or a refusal when it is outside 1 to {@link #MAX}. */
	static int validLimit(int limit) {
		if (limit < 1 || limit > MAX) {
			throw ChatProblem.invalid("invalid_request", "limit must be between 1 and " + MAX + ".");
		}
		return limit;
	}

}
