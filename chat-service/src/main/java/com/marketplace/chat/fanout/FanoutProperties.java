package com.marketplace.chat.fanout;

import java.time.Duration;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param backend {@code redis} (cluster) or {@code in-process} (standalone)
 * @param gapWait how long a replica holds a message that arrived ahead of a missing one
 * before it reads the missing ones from MySQL
 * @param sweepInterval how often each locally active chat's {@code last_seq} is compared
 * with what was delivered, to find a lost last publication
 * @param probeInterval how often a replica publishes a probe to itself through Redis
 * @param probeTimeout a replica that has not heard its own probe for this long reports
 * the fan-out unhealthy (not ready) and reads its chats from MySQL until it recovers
 * @param catchUpReads most reads of missed messages from MySQL running at once on one
 * replica (gap fills, sweeps, new subscriptions), so that catching up many chats at once
 * never takes the database connections that storing messages needs
 * @param presenceTtl how long a replica's statement that a user is connected to a chat
 * holds unless made again (every third of it): a replica that dies takes its users
 * offline everywhere within this and a third of it
 */
@ConfigurationProperties("chat.fanout")
@Validated
public record FanoutProperties(@DefaultValue("in-process") @Pattern(regexp = "redis|in-process") String backend,
		@DefaultValue("200ms") @DurationMin(millis = 1) Duration gapWait,
		@DefaultValue("5s") @DurationMin(millis = 1) Duration sweepInterval,
		@DefaultValue("2s") @DurationMin(millis = 1) Duration probeInterval,
		@DefaultValue("5s") @DurationMin(millis = 1) Duration probeTimeout,
		@DefaultValue("2") @Positive int catchUpReads,
		@DefaultValue("30s") @DurationMin(seconds = 1) Duration presenceTtl) {

}
