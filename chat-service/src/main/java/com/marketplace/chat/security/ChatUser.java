package com.marketplace.chat.security;

import java.util.Set;

/**
 * The authenticated caller: a positive user id from the token's user-id claim and the
 * roles from its roles claim. Participation in a chat is decided by id, not by role; the
 * roles {@code support} and {@code admin} unlock the support queue and admin actions.
 */
public record ChatUser(long id, Set<String> roles) {

	public static final String SUPPORT = "support";

	public static final String ADMIN = "admin";

	public ChatUser {
		if (id <= 0) {
			throw new IllegalArgumentException("user id must be positive");
		}
		roles = Set.copyOf(roles);
	}

	public boolean isAdmin() {
		return roles.contains(ADMIN);
	}

	public boolean isSupport() {
		return roles.contains(SUPPORT);
	}

}
