package com.marketplace.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import no.nav.security.mock.oauth2.MockOAuth2Server;

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

	/** A token that names a subject that is not a user id. */
	public String tokenWithSubject(String subject) {
		return this.server.issueToken(ISSUER_ID, subject, AUDIENCE, Map.of(), 3600).serialize();
	}

}
