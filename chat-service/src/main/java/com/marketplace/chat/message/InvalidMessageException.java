package com.marketplace.chat.message;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A message that is not acceptable as sent. {@link #code()} is the stable error code of
 * the WebSocket {@code error} frame; REST answers 400 with the same text.
 */
public class InvalidMessageException extends ErrorResponseException {

	private final String code;

	public InvalidMessageException(String code, String message) {
		super(HttpStatus.BAD_REQUEST, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, message), null);
		getBody().setProperty("code", code);
		this.code = code;
	}

	public String code() {
		return this.code;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

}
