package com.marketplace.chat.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster settings every test replica gets, in the test JVM or as a process: the
 * shared database, Redis and issuer, and quick sweeps and probes so fault tests stay
 * short. Both kinds pass them as command-line arguments, so they win over the cluster
 * profile's own files as a real deployment's environment would.
 */
public final class ClusterSettings {

	/** The one browser origin the test replicas accept. */
	public static final String ALLOWED_ORIGIN = "https://marketplace.example";

	private ClusterSettings() {
	}

	public static Map<String, Object> forTests() {
		TestInfrastructure infrastructure = TestInfrastructure.get();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.datasource.url", infrastructure.jdbcUrl());
		properties.put("spring.datasource.username", infrastructure.user());
		properties.put("spring.datasource.password", infrastructure.password());
		properties.put("spring.data.redis.host", infrastructure.redisHost());
		properties.put("spring.data.redis.port", infrastructure.redisPort());
		properties.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", TestIssuer.get().issuerUri());
		properties.put("spring.security.oauth2.resourceserver.jwt.audiences", TestIssuer.AUDIENCE);
		properties.put("chat.ws.allowed-origins", ALLOWED_ORIGIN);
		properties.put("chat.fanout.sweep-interval", "1s");
		properties.put("chat.fanout.probe-interval", "500ms");
		properties.put("chat.fanout.probe-timeout", "1500ms");
		// The shared replicas let tests send as fast as they can; LimitsTests runs its
		// own.
		properties.put("chat.ws.message-rate", 100000);
		properties.put("chat.ws.message-burst", 100000);
		properties.put("chat.rest.sends-per-minute", 6000000);
		properties.put("chat.rest.send-burst", 100000);
		properties.put("chat.rest.creations-per-minute", 6000000);
		properties.put("chat.rest.creation-burst", 100000);
		return properties;
	}

}
