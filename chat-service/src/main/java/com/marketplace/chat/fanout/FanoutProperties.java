package com.marketplace.chat.fanout;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
 */
@ConfigurationProperties("chat.fanout")
public record FanoutProperties(@DefaultValue("in-process") String backend, @DefaultValue("200ms") Duration gapWait,
		@DefaultValue("5s") Duration sweepInterval, @DefaultValue("2s") Duration probeInterval,
		@DefaultValue("5s") Duration probeTimeout, @DefaultValue("2") int catchUpReads) {

	public FanoutProperties {
		if (catchUpReads < 1) {
			throw new IllegalArgumentException("chat.fanout.catch-up-reads must be at least 1");
		}
	}

}
