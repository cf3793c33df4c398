package com.marketplace.chat.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;

/**
 * Turns a validated JWT into a {@link ChatUser}, and a raw token into an
 * {@link AuthenticatedUser} for the WebSocket handshake, which runs outside Spring
 * Security's filter chain because it must answer with its own status codes.
 */
@Component
public class ChatUsers {

	private final JwtDecoder decoder;

	private final SecurityProperties properties;

	ChatUsers(JwtDecoder decoder, SecurityProperties properties) {
		this.decoder = decoder;
		this.properties = properties;
	}

	/**
	 * Validates the token (signature, expiry, issuer, audience) and reads the user.
	 * @throws InvalidTokenException when the token is not acceptable for any reason
	 */
	public AuthenticatedUser authenticate(String token) {
		Jwt jwt;
		try {
			jwt = this.decoder.decode(token);
		}
		catch (JwtException ex) {
			throw new InvalidTokenException(ex.getMessage(), ex);
		}
		return new AuthenticatedUser(fromJwt(jwt), jwt.getExpiresAt());
	}

	/**
	 * Reads the user from an already validated token.
	 * @throws InvalidTokenException when the user-id claim is missing or not a positive
	 * integer
	 */
	public ChatUser fromJwt(Jwt jwt) {
		return new ChatUser(userId(jwt), roles(jwt));
	}

	private long userId(Jwt jwt) {
		Object claim = jwt.getClaim(this.properties.userIdClaim());
		try {
			long id = switch (claim) {
				case Number number when number.doubleValue() == number.longValue() -> number.longValue();
				case String text -> Long.parseLong(text.trim());
				case null, default -> 0;
			};
			if (id > 0) {
				return id;
			}
		}
		catch (NumberFormatException ex) {
			// falls through to the common refusal below
		}
		throw new InvalidTokenException(
				"claim '" + this.properties.userIdClaim() + "' must be a positive integer user id", null);
	}

	private Set<String> roles(Jwt jwt) {
		Object claim = jwt.getClaim(this.properties.rolesClaim());
		Set<String> roles = new LinkedHashSet<>();
		if (claim instanceof Collection<?> values) {
			values.forEach((value) -> roles.add(String.valueOf(value)));
		}
		else if (claim instanceof String text && !text.isBlank()) {
			roles.addAll(Arrays.asList(text.trim().split("\\s+")));
		}
		return roles;
	}

}
