package com.marketplace.chat.security;

import java.time.Instant;

/**
 * A user whose token was accepted, with the moment that token stops being valid
 * ({@code null} when the token has no {@code exp}).
 */
public record AuthenticatedUser(ChatUser user, Instant expiresAt) {
}
