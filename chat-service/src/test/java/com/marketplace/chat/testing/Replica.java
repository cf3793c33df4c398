package com.marketplace.chat.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import com.marketplace.chat.ChatApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One running replica of the service in cluster mode, on its own port, sharing the test
 * database, Redis and issuer with every other replica.
 */
public final class Replica implements Endpoint, AutoCloseable {

	public static final String ALLOWED_ORIGIN = "https://marketplace.example";

	private final String name;

	private final ConfigurableApplicationContext context;

	private final int port;

	private Replica(String name, ConfigurableApplicationContext context) {
		this.name = name;
		this.context = context;
		this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	/**
	 * The cluster settings every test replica gets, in-JVM or as a process: the shared
	 * database, Redis and issuer, and quick sweeps and probes so fault tests stay short.
	 */
	public static Map<String, Object> clusterSettings() {
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
		// The shared replicas let tests send as fast as they can; LimitsTests runs its own.
		properties.put("chat.ws.message-rate", 100000);
		properties.put("chat.ws.message-burst", 100000);
		properties.put("chat.rest.sends-per-minute", 6000000);
		properties.put("chat.rest.send-burst", 100000);
		properties.put("chat.rest.creations-per-minute", 6000000);
		properties.put("chat.rest.creation-burst", 100000);
		return properties;
	}

	public static Replica start(String name, Map<String, Object> overrides) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("server.port", 0);
		properties.put("server.address", "127.0.0.1");
		properties.putAll(clusterSettings());
		properties.put("logging.structured.format.console", "");
		properties.put("spring.jmx.enabled", false);
		properties.putAll(overrides);
		// As command-line arguments, so they win over the profile's own files, as a real
		// deployment's environment would.
		String[] arguments = properties.entrySet()
			.stream()
			.map((entry) -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatApplication.class).profiles("cluster")
			.run(arguments);
		return new Replica(name, context);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public int port() {
		return this.port;
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	public boolean isRunning() {
		return this.context.isActive();
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Override
	public String toString() {
		return this.name + "@" + this.port;
	}

}
