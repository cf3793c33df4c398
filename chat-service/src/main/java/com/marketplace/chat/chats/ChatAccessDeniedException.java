package com.marketplace.chat.chats;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The chat does not exist or the user may not use it. One exception, and one answer
 * (403), for both cases, so that chat ids cannot be probed.
 */
public class ChatAccessDeniedException extends ErrorResponseException {

	public ChatAccessDeniedException(ChatKey key) {
		super(HttpStatus.FORBIDDEN, ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN,
				"Chat " + key.kind().key() + "/" + key.id() + " does not exist or you are not a participant."), null);
	}

}
