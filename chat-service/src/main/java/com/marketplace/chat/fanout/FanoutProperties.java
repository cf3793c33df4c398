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
 */
@ConfigurationProperties("chat.fanout")
public record FanoutProperties(@DefaultValue("in-process") String backend, @DefaultValue("200ms") Duration gapWait,
		@DefaultValue("5s") Duration sweepInterval, @DefaultValue("2s") Duration probeInterval,
		@DefaultValue("5s") Duration probeTimeout) {
}
