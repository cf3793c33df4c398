package com.marketplace.chat.security;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-user limits of the REST calls that write, on each replica.
 *
 * @param sendsPerMinute messages one user may send per minute over REST, sustained
 * @param sendBurst how many may come at once
 * @param creationsPerMinute chats one user may create per minute, sustained
 * @param creationBurst how many may come at once
 */
@ConfigurationProperties("chat.rest")
@Validated
public record RestLimitProperties(@DefaultValue("600") @Positive int sendsPerMinute,
		@DefaultValue("30") @Positive int sendBurst, @DefaultValue("12") @Positive int creationsPerMinute,
		@DefaultValue("10") @Positive int creationBurst) {
}
