package com.marketplace.chat.standalone;

import java.nio.file.Path;

import com.marketplace.chat.ChatApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The development issuer signs tokens for anyone, so it only ever listens on loopback.
 */
class DevTokenIssuerTests {

	@Test
	void refusesNonLoopbackAddressesUnlessExplicitlyAllowed() {
		assertThatThrownBy(() -> DevTokenIssuer.refuseNonLoopback("0.0.0.0", false)).hasMessageContaining("loopback");
		assertThatThrownBy(() -> DevTokenIssuer.refuseNonLoopback(null, false)).hasMessageContaining("loopback");
		assertThatThrownBy(() -> DevTokenIssuer.refuseNonLoopback("192.0.2.10", false))
			.hasMessageContaining("loopback");
		assertThatCode(() -> DevTokenIssuer.refuseNonLoopback("127.0.0.1", false)).doesNotThrowAnyException();
		assertThatCode(() -> DevTokenIssuer.refuseNonLoopback("::1", false)).doesNotThrowAnyException();
		assertThatCode(() -> DevTokenIssuer.refuseNonLoopback("0.0.0.0", true)).doesNotThrowAnyException();
	}

	@Test
	void standaloneStartupFailsOnAWildcardBind(@TempDir Path data) {
		assertThatThrownBy(() -> new SpringApplicationBuilder(ChatApplication.class).run("--server.address=0.0.0.0",
				"--server.port=0",
				"--spring.datasource.url=jdbc:h2:file:" + data.resolve("chat")
						+ ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE"))
			.hasStackTraceContaining("only runs on a loopback address");
	}

	@Test
	void clusterModeRefusesTheStandaloneProfile() {
		assertThatThrownBy(() -> new SpringApplicationBuilder(ChatApplication.class).profiles("cluster", "standalone")
			.run("--server.port=0", "--spring.datasource.url=jdbc:mysql://127.0.0.1:1/none",
					"--spring.data.redis.host=127.0.0.1",
					"--spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:1/issuer"))
			.hasStackTraceContaining("cannot run together");
	}

}
