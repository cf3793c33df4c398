package com.marketplace.chat.security;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Which JWT claims carry the user id and the roles. The token itself is validated by
 * Spring Security's resource server
 * ({@code spring.security.oauth2.resourceserver.jwt.*}).
 *
 * @param userIdClaim claim holding the user id, a positive integer (number or string)
 * @param rolesClaim claim holding the roles, a list of strings or one space-separated
 * string
 * @param allowAnyAudience in cluster mode, start without
 * {@code spring.security.oauth2.resourceserver.jwt.audiences}: then a token the same
 * issuer made for another application is accepted too, with that application's roles
 */
@ConfigurationProperties("chat.security")
@Validated
public record SecurityProperties(@DefaultValue("sub") @NotBlank String userIdClaim,
		@DefaultValue("roles") @NotBlank String rolesClaim, @DefaultValue("false") boolean allowAnyAudience) {
}
