package com.marketplace.chat.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;

/**
 * The token issuer the replicas trust: an RSA key, its JWKS served on 127.0.0.1 by the
 * JDK's HTTP server, and RS256 JWTs signed locally (much faster than asking an OpenID
 * Connect server for thousands of tokens). The replicas get only
 * {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri}, so they check signature
 * and expiry; {@code iss} is set anyway.
 */
final class TokenIssuer implements AutoCloseable {

	private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

	private static final String KEY_ID = "bench-1";

	private final RSAPrivateKey privateKey;

	private final HttpServer server;

	private final String issuer;

	TokenIssuer() throws IOException, GeneralSecurityException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair pair = generator.generateKeyPair();
		this.privateKey = (RSAPrivateKey) pair.getPrivate();
		RSAPublicKey publicKey = (RSAPublicKey) pair.getPublic();
		byte[] jwks = ("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + KEY_ID + "\",\"n\":\""
				+ unsigned(publicKey.getModulus()) + "\",\"e\":\"" + unsigned(publicKey.getPublicExponent()) + "\"}]}")
			.getBytes(StandardCharsets.UTF_8);
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/jwks", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, jwks.length);
			try (OutputStream body = exchange.getResponseBody()) {
				body.write(jwks);
			}
		});
		this.server.start();
		this.issuer = "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	private static String unsigned(BigInteger value) {
		byte[] bytes = value.toByteArray();
		if (bytes.length > 1 && bytes[0] == 0) {
			byte[] trimmed = new byte[bytes.length - 1];
			System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
			bytes = trimmed;
		}
		return B64.encodeToString(bytes);
	}

	/** The audience the replicas are started with and every token carries. */
	static final String AUDIENCE = "chat-service";

	String jwkSetUri() {
		return this.issuer + "/jwks";
	}

	/** An RS256 token for the user with these roles, valid for {@code seconds}. */
	String token(long userId, List<String> roles, long seconds) {
		long now = System.currentTimeMillis() / 1000;
		String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
		String claims = "{\"iss\":\"" + this.issuer + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + userId
				+ "\",\"roles\":["
				+ roles.stream().map((role) -> "\"" + role + "\"").collect(Collectors.joining(",")) + "],\"iat\":" + now
				+ ",\"exp\":" + (now + seconds) + "}";
		String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
				+ B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		try {
			Signature signature = Signature.getInstance("SHA256withRSA");
			signature.initSign(this.privateKey);
			signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
			return signingInput + "." + B64.encodeToString(signature.sign());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	String token(long userId, String... roles) {
		return token(userId, List.of(roles), 4 * 3600);
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
