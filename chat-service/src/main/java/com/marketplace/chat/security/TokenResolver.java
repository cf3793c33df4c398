package com.marketplace.chat.security;

import java.util.Optional;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;

/**
 * Finds the bearer token of a WebSocket handshake. First match wins: the
 * {@code Authorization: Bearer} header, then the {@code token} query parameter (browsers
 * cannot set headers on a WebSocket), then the {@code access_token} cookie.
 */
public final class TokenResolver {

	public static final String QUERY_PARAMETER = "token";

	public static final String COOKIE = "access_token";

	private TokenResolver() {
	}

	public static Optional<String> resolve(HttpServletRequest request) {
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank()) {
			return Optional.of(header.substring(7).trim());
		}
		String parameter = request.getParameter(QUERY_PARAMETER);
		if (parameter != null && !parameter.isBlank()) {
			return Optional.of(parameter.trim());
		}
		Cookie[] cookies = request.getCookies();
		if (cookies != null) {
			for (Cookie cookie : cookies) {
				if (COOKIE.equals(cookie.getName()) && cookie.getValue() != null && !cookie.getValue().isBlank()) {
					return Optional.of(cookie.getValue().trim());
				}
			}
		}
		return Optional.empty();
	}

}
