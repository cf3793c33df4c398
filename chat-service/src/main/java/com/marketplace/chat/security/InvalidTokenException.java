package com.marketplace.chat.security;

import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/** A token that is missing, malformed, expired, badly signed or names no valid user. */
public class InvalidTokenException extends InvalidBearerTokenException {

	public InvalidTokenException(String message, Throwable cause) {
		super(message, (cause != null) ? cause : new IllegalArgumentException(message));
	}

}
