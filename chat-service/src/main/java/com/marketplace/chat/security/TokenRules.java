package com.marketplace.chat.security;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;

import org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.JwkSetUriJwtDecoderBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;

/**
 * What every token must satisfy beyond Spring's defaults, on every path (WebSocket
 * handshake, {@code auth} frame, REST): an {@code exp} claim, since a connection lives no
 * longer than its token and a token without one would give a socket that never expires.
 * And a bound on key refreshes: a token signed with a key id the issuer's JWKS does not
 * list makes the decoder fetch the JWKS again, so anyone could make the service fetch it
 * with every frame; here key ids the JWKS did not have may cause at most one fetch per
 * {@link #UNKNOWN_KEY_REFETCH_INTERVAL} (key rotation still works: the first token with a
 * new key fetches it).
 */
@Configuration(proxyBeanMethods = false)
public class TokenRules {

	static final Duration UNKNOWN_KEY_REFETCH_INTERVAL = Duration.ofSeconds(30);

	/**
	 * Picked up by Spring Boot's resource-server decoder beside its issuer and audience
	 * checks.
	 */
	@Bean
	OAuth2TokenValidator<Jwt> expiryRequired() {
		return requireExpiry();
	}

	/**
	 * Spring's expiry and not-before checks, refusing a token that has no {@code exp}.
	 */
	public static JwtTimestampValidator requireExpiry() {
		JwtTimestampValidator validator = new JwtTimestampValidator();
		validator.setAllowEmptyExpiryClaim(false);
		return validator;
	}

	@Bean
	JwkSetUriJwtDecoderBuilderCustomizer boundedKeyRefreshes() {
		return (builder) -> builder.jwtProcessorCustomizer((processor) -> processor
			.setJWSKeySelector(new BoundedRefreshes<>(processor.getJWSKeySelector(), UNKNOWN_KEY_REFETCH_INTERVAL)));
	}

	/**
	 * A key selector in front of the JWKS: a key id it has found keys for before passes
	 * straight through. One it has not is looked up one at a time, and once such a lookup
	 * found nothing (a fetch of the JWKS that did not help), others find no key, which
	 * refuses their tokens as badly signed, until the interval has passed. Key rotation
	 * works: a new key's first token fetches it, unless a lookup of an unknown key failed
	 * within the interval, in which case it is accepted once the interval is over.
	 */
	static final class BoundedRefreshes<C extends SecurityContext> implements JWSKeySelector<C> {

		private final JWSKeySelector<C> keys;

		private final long intervalNanos;

		private final Set<String> known = ConcurrentHashMap.newKeySet();

		private long lastMissNanos;

		private boolean missed;

		BoundedRefreshes(JWSKeySelector<C> keys, Duration interval) {
			this.keys = keys;
			this.intervalNanos = interval.toNanos();
		}

		@Override
		public List<? extends java.security.Key> selectJWSKeys(JWSHeader header, C context) throws KeySourceException {
			String keyId = String.valueOf(header.getKeyID());
			if (this.known.contains(keyId)) {
				return this.keys.selectJWSKeys(header, context);
			}
			synchronized (this) {
				if (this.known.contains(keyId)) {
					return this.keys.selectJWSKeys(header, context);
				}
				long now = System.nanoTime();
				if (this.missed && now - this.lastMissNanos < this.intervalNanos) {
					return List.of();
				}
				List<? extends java.security.Key> found = this.keys.selectJWSKeys(header, context);
				if (found.isEmpty()) {
					this.missed = true;
					this.lastMissNanos = now;
				}
				else {
					this.known.add(keyId);
				}
				return found;
			}
		}

	}

}
