package com.marketplace.chat.standalone;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.marketplace.chat.security.TokenRules;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The development token issuer: a fresh RSA key each start, tokens signed with it, and
 * the {@link JwtDecoder} that accepts exactly those tokens (replacing the resource
 * server's issuer-based decoder). Tokens die with the process.
 */
@Configuration(proxyBeanMethods = false)
@Profile("standalone")
class DevTokenIssuer {

	static final String ISSUER = "urn:chat-service:standalone";

	private static final Logger log = LoggerFactory.getLogger(DevTokenIssuer.class);

	private final KeyPair keys;

	private final StandaloneProperties properties;

	DevTokenIssuer(Environment environment, StandaloneProperties properties) {
		refuseNonLoopback(environment.getProperty("server.address"), properties.allowNonLoopback());
		this.properties = properties;
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			this.keys = generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		log.warn("""

				*****************************************************************************
				  STANDALONE DEVELOPMENT MODE: embedded database, in-process fan-out and a
				  development token issuer (POST /dev/tokens) that signs tokens for ANY user.
				  Never expose this mode. Run with the 'cluster' profile in production.
				*****************************************************************************""");
	}

	/**
	 * Refuses to mint tokens on an address other machines can reach, unless explicitly
	 * allowed.
	 */
	static void refuseNonLoopback(String address, boolean allowed) {
		if (allowed) {
			return;
		}
		boolean loopback;
		try {
			loopback = address != null && !address.isBlank() && InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			loopback = false;
		}
		if (!loopback) {
			throw new IllegalStateException("The standalone development token issuer lets anyone mint tokens, so it "
					+ "only runs on a loopback address, but server.address is '" + address + "'. Bind to 127.0.0.1, "
					+ "set chat.standalone.allow-non-loopback=true if you really mean it, or run the 'cluster' profile.");
		}
	}

	@Bean
	JwtDecoder devJwtDecoder() {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey((RSAPublicKey) this.keys.getPublic()).build();
		decoder.setJwtValidator(
				JwtValidators.createDefaultWithValidators(new JwtIssuerValidator(ISSUER), TokenRules.requireExpiry()));
		return decoder;
	}

	@Bean
	DevTokens devTokens() {
		RSAKey key = new RSAKey.Builder((RSAPublicKey) this.keys.getPublic())
			.privateKey((RSAPrivateKey) this.keys.getPrivate())
			.keyID(UUID.randomUUID().toString())
			.build();
		JwtEncoder encoder = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(key)));
		return (userId, roles) -> {
			Instant now = Instant.now();
			JwtClaimsSet claims = JwtClaimsSet.builder()
				.issuer(ISSUER)
				.subject(Long.toString(userId))
				.issuedAt(now)
				.expiresAt(now.plus(this.properties.tokenLifetime()))
				.claim("roles", List.copyOf(roles))
				.build();
			JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).build();
			String token = encoder.encode(JwtEncoderParameters.from(header, claims)).getTokenValue();
			return new DevTokens.Issued(token, "Bearer", this.properties.tokenLifetime().toSeconds());
		};
	}

}
