package com.marketplace.chat.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import com.marketplace.chat.ChatApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One running replica of the service in cluster mode, on its own port, sharing the test
 * database, Redis and issuer with every other replica. It runs in the test JVM, so it
 * stays here beside the application it starts; the rest of the kit (chat-testkit) knows
 * no class of the service.
 */
public final class Replica implements Endpoint, AutoCloseable {

	public static final String ALLOWED_ORIGIN = ClusterSettings.ALLOWED_ORIGIN;

	private final String name;

	private final ConfigurableApplicationContext context;

	private final int port;

	private Replica(String name, ConfigurableApplicationContext context) {
		this.name = name;
		this.context = context;
		this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	public static Replica start(String name, Map<String, Object> overrides) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("server.port", 0);
		properties.put("server.address", "127.0.0.1");
		properties.putAll(ClusterSettings.forTests());
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

	/** The replica's application context, for what is not a bean (its web server). */
	public ConfigurableApplicationContext context() {
		return this.context;
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
