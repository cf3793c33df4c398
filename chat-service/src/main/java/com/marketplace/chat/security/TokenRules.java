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
 * with every frame; here an unknown key id may cause at most one fetch per
 * {@link #UNKNOWN_KEY_REFETCH_INTERVAL} (key rotation still works: the first token with a
 * new key fetches it).
 */
@Configuration(proxyBeanMethods = false)
public class TokenRules {

	static final Duration UNKNOWN_KEY_REFETCH_INTERVAL = Duration.ofSeconds(30);

	/** Picked up by Spring Boot's resource-server decoder beside its issuer and audience checks. */
	@Bean
	OAuth2TokenValidator<Jwt> expiryRequired() {
		return requireExpiry();
	}

	/** Spring's expiry and not-before checks, refusing a token that has no {@code exp}. */
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
	 * A key selector that lets a key id it has not seen succeed before reach the JWKS (and
	 * so cause a fetch) at most once per interval; other unknown ones find no key, which
	 * refuses the token as badly signed.
	 */
	static final class BoundedRefreshes<C extends SecurityContext> implements JWSKeySelector<C> {

		private final JWSKeySelector<C> keys;

		private final long intervalNanos;

		private final Set<String> known = ConcurrentHashMap.newKeySet();

		private long lastUnknownNanos;

		private boolean triedUnknown;

		BoundedRefreshes(JWSKeySelector<C> keys, Duration interval) {
			this.keys = keys;
			this.intervalNanos = interval.toNanos();
		}

		@Override
		public List<? extends java.security.Key> selectJWSKeys(JWSHeader header, C context) throws KeySourceException {
			String keyId = String.valueOf(header.getKeyID());
			if (!this.known.contains(keyId) && !mayTryUnknown()) {
				return List.of();
			}
			List<? extends java.security.Key> found = this.keys.selectJWSKeys(header, context);
			if (!found.isEmpty()) {
				this.known.add(keyId);
			}
			return found;
		}

		private synchronized boolean mayTryUnknown() {
			long now = System.nanoTime();
			if (this.triedUnknown && now - this.lastUnknownNanos < this.intervalNanos) {
				return false;
			}
			this.triedUnknown = true;
			this.lastUnknownNanos = now;
			return true;
		}

	}

}
