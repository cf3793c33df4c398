package com.marketplace.chat.standalone;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param allowNonLoopback let the development issuer run on an address other machines can
 * reach; anyone who can reach it can mint tokens for any user
 * @param tokenLifetime lifetime of the tokens {@code POST /dev/tokens} mints
 */
@ConfigurationProperties("chat.standalone")
@Validated
public record StandaloneProperties(@DefaultValue("false") boolean allowNonLoopback,
		@DefaultValue("1h") @DurationMin(seconds = 1) Duration tokenLifetime) {
}
