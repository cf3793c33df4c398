package com.marketplace.chat.system;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Profiles;
import org.springframework.util.StringUtils;

/**
 * Fails start-up in cluster mode, before any bean is made, when a setting the cluster
 * cannot run without is missing, naming each missing property (and its environment
 * variable), instead of letting a replica start on a default that points nowhere. The
 * token audience is one of them: the safe choice must be the easy one, so accepting any
 * audience takes an explicit {@code chat.security.allow-any-audience=true}.
 */
class ClusterSettingsCheck implements EnvironmentPostProcessor, Ordered {

	static final String PROFILE = "cluster";

	static final String AUDIENCES = "spring.security.oauth2.resourceserver.jwt.audiences";

	static final String ALLOW_ANY_AUDIENCE = "chat.security.allow-any-audience";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.acceptsProfiles(Profiles.of(PROFILE))) {
			return;
		}
		if (environment.acceptsProfiles(Profiles.of("standalone"))) {
			throw new IllegalStateException("The 'cluster' and 'standalone' profiles cannot run together: the "
					+ "standalone development token issuer must never run in a cluster.");
		}
		List<String> missing = new ArrayList<>();
		require(environment, missing, "spring.datasource.url");
		require(environment, missing, "spring.data.redis.host", "spring.data.redis.url",
				"spring.data.redis.cluster.nodes");
		require(environment, missing, "spring.security.oauth2.resourceserver.jwt.issuer-uri",
				"spring.security.oauth2.resourceserver.jwt.jwk-set-uri");
		if (!StringUtils.hasText(environment.getProperty(AUDIENCES))
				&& !environment.getProperty(ALLOW_ANY_AUDIENCE, Boolean.class, false)) {
			missing.add(AUDIENCES + " (" + variable(AUDIENCES) + "), the audience your identity provider puts in this "
					+ "service's tokens: without it a token it issued for any other application would be accepted, "
					+ "roles included (set " + ALLOW_ANY_AUDIENCE + "=true to accept that)");
		}
		if (!missing.isEmpty()) {
			throw new IllegalStateException("Cluster mode (profile 'cluster') is missing required settings: "
					+ String.join("; ", missing) + ". Set them as properties or environment variables.");
		}
	}

	private static void require(ConfigurableEnvironment environment, List<String> missing, String... anyOf) {
		for (String property : anyOf) {
			if (StringUtils.hasText(environment.getProperty(property))) {
				return;
			}
		}
		List<String> described = new ArrayList<>();
		for (String property : anyOf) {
			described.add(property + " (" + variable(property) + ")");
		}
		missing.add(String.join(" or ", described));
	}

	private static String variable(String property) {
		return property.toUpperCase().replace('.', '_').replace("-", "");
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
