package com.marketplace.chat.message;

import com.marketplace.chat.problems.ChatProblem;

/**
 * A message that is not acceptable as sent. {@link #code()} is the stable error code of
 * the WebSocket {@code error} frame; REST answers 400 with the same code and text.
 */
public class InvalidMessageException extends ChatProblem {

	public InvalidMessageException(String code, String message) {
		super(Kind.INVALID, code, message);
	}

}
