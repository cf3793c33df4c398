package com.marketplace.chat.deployment;

import java.util.Set;

/**
 * The environment variables the deployment files may set. They mirror the application's
 * properties as Spring's relaxed binding reads them from the environment
 * ({@code chat.ws.max-connections} is {@code CHAT_WS_MAX_CONNECTIONS}), plus the image's
 * JVM options. A name outside this list is a typo the application would silently ignore;
 * when the application gains or renames a setting, change it here and in deploy/ and
 * helm/ together.
 */
final class ApplicationEnvironment {

	static final Set<String> VARIABLES_MIRRORING_APPLICATION_PROPERTIES = Set.of("SERVER_PORT",
			"SPRING_PROFILES_ACTIVE", "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME",
			"SPRING_DATASOURCE_PASSWORD", "SPRING_DATA_REDIS_HOST", "SPRING_DATA_REDIS_PORT",
			"SPRING_DATA_REDIS_PASSWORD", "SPRING_DATA_REDIS_URL", "SPRING_DATA_REDIS_CLUSTER_NODES",
			"SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI",
			"SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI",
			"SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES", "CHAT_SECURITY_USER_ID_CLAIM",
			"CHAT_SECURITY_ROLES_CLAIM", "CHAT_SECURITY_ALLOW_ANY_AUDIENCE", "CHAT_WS_ALLOWED_ORIGINS",
			"CHAT_WS_MAX_CONNECTIONS", "CHAT_WS_MAX_CONNECTIONS_PER_USER", "SERVER_TOMCAT_MAX_CONNECTIONS",
			"CHAT_WS_PING_INTERVAL", "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "LOGGING_STRUCTURED_FORMAT_CONSOLE",
			"JAVA_TOOL_OPTIONS", "JAVA_OPTS");

	private ApplicationEnvironment() {
	}

}
