package com.marketplace.chat.fanout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "redis")
class RedisFanoutConfiguration {

	/**
	 * While Redis is unreachable, commands fail at once instead of queueing until the
	 * command timeout: a send is stored and acked without waiting for Redis, and the
	 * relay delivers from MySQL until the bus is back. On a Redis Cluster the client also
	 * follows the slots: it reads the topology again every 5 s and at once on a
	 * redirection or a lost node, so commands and subscriptions go to a shard's new
	 * primary soon after a failover.
	 */
	@Bean
	LettuceClientConfigurationBuilderCustomizer failFastWhileDisconnected(Environment environment) {
		if (environment.containsProperty("spring.data.redis.cluster.nodes")) {
			return (builder) -> builder.clientOptions(ClusterClientOptions.builder()
				.autoReconnect(true)
				.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
				.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.enablePeriodicRefresh(Duration.ofSeconds(5))
					.enableAllAdaptiveRefreshTriggers()
					.adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
					.build())
				.build());
		}
		return (builder) -> builder.clientOptions(ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.build());
	}

	/**
	 * Reconnect to Redis within two seconds of its return, not after Lettuce's default 30
	 * s backoff.
	 */
	@Bean
	ClientResourcesBuilderCustomizer quickReconnect() {
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS));
	}

}
