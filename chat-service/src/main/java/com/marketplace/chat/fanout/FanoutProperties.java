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
 */
@ConfigurationProperties("chat.fanout")
public record FanoutProperties(@DefaultValue("in-process") String backend, @DefaultValue("200ms") Duration gapWait,
		@DefaultValue("5s") Duration sweepInterval) {
}
