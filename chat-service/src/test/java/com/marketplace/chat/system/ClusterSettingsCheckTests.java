package com.marketplace.chat.system;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ClusterSettingsCheckTests {

	private final ClusterSettingsCheck check = new ClusterSettingsCheck();

	@Test
	void failsClusterStartupNamingEveryMissingSetting() {
		MockEnvironment environment = new MockEnvironment();
		environment.setActiveProfiles("cluster");
		assertThatIllegalStateException()
			.isThrownBy(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.withMessageContaining("spring.datasource.url (SPRING_DATASOURCE_URL)")
			.withMessageContaining("spring.data.redis.host (SPRING_DATA_REDIS_HOST) or spring.data.redis.url")
			.withMessageContaining("spring.security.oauth2.resourceserver.jwt.issuer-uri")
			.withMessageContaining("jwk-set-uri");
	}

	@Test
	void acceptsACompleteClusterConfiguration() {
		MockEnvironment environment = complete().withProperty("spring.security.oauth2.resourceserver.jwt.audiences",
				"chat-service");
		environment.setActiveProfiles("cluster");
		assertThatCode(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.doesNotThrowAnyException();
	}

	@Test
	void refusesAClusterWithoutAnAudienceUnlessAnyAudienceIsAllowedExplicitly() {
		MockEnvironment environment = complete();
		environment.setActiveProfiles("cluster");
		assertThatIllegalStateException()
			.isThrownBy(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.withMessageContaining(
					"spring.security.oauth2.resourceserver.jwt.audiences (SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES)")
			.withMessageContaining("chat.security.allow-any-audience=true");
		environment.setProperty("chat.security.allow-any-audience", "true");
		assertThatCode(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.doesNotThrowAnyException();
	}

	private static MockEnvironment complete() {
		return new MockEnvironment().withProperty("spring.datasource.url", "jdbc:mysql://db/chat")
			.withProperty("spring.data.redis.url", "redis://redis:6379")
			.withProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", "https://idp/keys");
	}

	@Test
	void neverRunsTheStandaloneIssuerInACluster() {
		MockEnvironment environment = new MockEnvironment()
			.withProperty("spring.datasource.url", "jdbc:mysql://db/chat")
			.withProperty("spring.data.redis.host", "redis")
			.withProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri", "https://idp");
		environment.setActiveProfiles("cluster", "standalone");
		assertThatIllegalStateException()
			.isThrownBy(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.withMessageContaining("cannot run together");
	}

	@Test
	void leavesStandaloneModeAlone() {
		MockEnvironment environment = new MockEnvironment();
		assertThatCode(() -> this.check.postProcessEnvironment(environment, new SpringApplication()))
			.doesNotThrowAnyException();
	}

}
