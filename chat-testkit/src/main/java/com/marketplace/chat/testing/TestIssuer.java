package com.marketplace.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;

/**
 * A real OpenID Connect issuer in the test JVM (mock-oauth2-server), started once. The
 * replicas discover it through {@code issuer-uri} and validate its signatures as they
 * would Keycloak's or Auth0's.
 */
public final class TestIssuer {

	public static final String AUDIENCE = "chat-service";

	private static final String ISSUER_ID = "marketplace";

	private static TestIssuer instance;

	private final MockOAuth2Server server = new MockOAuth2Server();

	private TestIssuer() {
		this.server.start();
		warmUp();
	}

	/**
	 * The issuer answers its first requests slowly while it initializes; replicas give up
	 * on discovery after a short read timeout, so the first fetches happen here.
	 */
	private void warmUp() {
		HttpClient http = HttpClient.newHttpClient();
		for (String url : new String[] { issuerUri() + "/.well-known/openid-configuration",
				this.server.jwksUrl(ISSUER_ID).toString() }) {
			try {
				http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
			}
			catch (Exception ex) {
				throw new IllegalStateException("The test issuer does not answer at " + url, ex);
			}
		}
	}

	public static synchronized TestIssuer get() {
		if (instance == null) {
			instance = new TestIssuer();
		}
		return instance;
	}

	public String issuerUri() {
		return this.server.issuerUrl(ISSUER_ID).toString();
	}

	/** A valid token for the user, with the given roles, for an hour. */
	public String token(long userId, String... roles) {
		return token(userId, AUDIENCE, 3600, roles);
	}

	public String token(long userId, String audience, long expirySeconds, String... roles) {
		return this.server
			.issueToken(ISSUER_ID, Long.toString(userId), audience, Map.of("roles", List.of(roles)), expirySeconds)
			.serialize();
	}

	/** A token whose signature does not match its content. */
	public String badlySignedToken(long userId) {
		String token = token(userId);
		String other = token(userId + 1);
		return token.substring(0, token.lastIndexOf('.')) + other.substring(other.lastIndexOf('.'));
	}

	/**
	 * A token like {@link #token(long, String...)} but without an {@code exp} claim,
	 * signed by the issuer.
	 */
	public String tokenWithoutExpiry(long userId, String... roles) {
		Map<String, Object> claims = new HashMap<>();
		claims.put("iss", issuerUri());
		claims.put("sub", Long.toString(userId));
		claims.put("aud", AUDIENCE);
		claims.put("roles", List.of(roles));
		// The provider sets exp before adding these claims; a null one is left out of the
		// token.
		claims.put("exp", null);
		return this.server.getConfig().getTokenProvider().jwt(claims, Duration.ofHours(1), ISSUER_ID).serialize();
	}

	/**
	 * A well-formed token signed with a key the issuer's JWKS does not list (its key id
	 * is new each time).
	 */
	public String tokenSignedWithUnknownKey(long userId) {
		try {
			RSAKey key = new RSAKeyGenerator(2048).keyID("unknown-" + UUID.randomUUID()).generate();
			JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuerUri())
				.subject(Long.toString(userId))
				.audience(AUDIENCE)
				.issueTime(new Date())
				.expirationTime(Date.from(Instant.now().plusSeconds(3600)))
				.build();
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Requests the issuer has answered so far (discovery, key sets), to count what the
	 * replicas fetch.
	 */
	public int requestCount() {
		return ((MockWebServerWrapper) this.server.getConfig().getHttpServer()).getMockWebServer().getRequestCount();
	}

	/** A token that names a subject that is not a user id. */
	public String tokenWithSubject(String subject) {
		return this.server.issueToken(ISSUER_ID, subject, AUDIENCE, Map.of(), 3600).serialize();
	}

}
