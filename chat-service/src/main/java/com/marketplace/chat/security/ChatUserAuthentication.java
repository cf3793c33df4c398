package com.marketplace.chat.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The REST caller as Spring Security sees it: the principal is the {@link ChatUser}, so
 * controllers take {@code @AuthenticationPrincipal ChatUser user}.
 */
final class ChatUserAuthentication extends AbstractAuthenticationToken {

	private final ChatUser user;

	private final Jwt jwt;

	ChatUserAuthentication(ChatUser user, Jwt jwt) {
		super(user.roles().stream().map((role) -> new SimpleGrantedAuthority("ROLE_" + role)).toList());
		this.user = user;
		this.jwt = jwt;
		setAuthenticated(true);
	}

	@Override
	public ChatUser getPrincipal() {
		return this.user;
	}

	@Override
	public Jwt getCredentials() {
		return this.jwt;
	}

	@Override
	public String getName() {
		return Long.toString(this.user.id());
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ChatUserAuthentication that && this.user.equals(that.user) && this.jwt.equals(that.jwt);
	}

	@Override
	public int hashCode() {
		return List.of(this.user, this.jwt).hashCode();
	}

}
