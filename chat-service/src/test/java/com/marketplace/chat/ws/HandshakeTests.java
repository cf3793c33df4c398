package com.marketplace.chat.ws;

import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.RawHandshake;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake answers of DESIGN §2: where the token may come from, and each refusal.
 */
class HandshakeTests {

	private final Cluster cluster = Cluster.get();

	private final TestIssuer issuer = TestIssuer.get();

	@ParameterizedTest
	@ValueSource(strings = { "service", "support" })
	void acceptsTheTokenFromQueryCookieOrHeader(String kind) {
		Chat chat = kind.equals("service") ? Chats.serviceChat(this.cluster.a) : Chats.supportChat(this.cluster.a);
		String url = this.cluster.b.wsUrl() + chat.wsPath();
		try (WsClient byQuery = WsClient.connect(url + "?token=" + chat.client().token());
				WsClient byCookie = WsClient.connect(url, Map.of("Cookie", "access_token=" + chat.other().token()));
				WsClient byHeader = WsClient.connect(url, Map.of("Authorization", "Bearer " + chat.client().token()))) {
			for (WsClient client : new WsClient[] { byQuery, byCookie, byHeader }) {
				client.send("{\"type\":\"ping\"}");
				expectType(client.next(), "pong");
			}
		}
	}

	@Test
	void refusesNonParticipantsAndUnknownChatsWithTheSame403() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		Party stranger = Party.newUser("client");
		int notParticipant = WsClient.refusal(chat.wsUrl(this.cluster.a, stranger), Map.of());
		int unknownChat = WsClient
			.refusal(this.cluster.a.wsUrl() + "/ws/service-chats/999999999?token=" + stranger.token(), Map.of());
		int wrongKind = WsClient.refusal(
				this.cluster.a.wsUrl() + "/ws/support-chats/" + chat.id() + "?token=" + chat.client().token(),
				Map.of());
		int notANumber = WsClient.refusal(this.cluster.a.wsUrl() + "/ws/service-chats/abc?token=" + stranger.token(),
				Map.of());
		assertThat(notParticipant).isEqualTo(403);
		assertThat(unknownChat).isEqualTo(403);
		assertThat(wrongKind).as("a service chat id is not a support chat").isEqualTo(403);
		assertThat(notANumber).isEqualTo(403);
	}

	@Test
	void refusesMissingExpiredBadlySignedAndWrongAudienceTokensWith401() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		long user = chat.client().id();
		String url = this.cluster.a.wsUrl() + chat.wsPath();
		assertThat(WsClient.refusal(url, Map.of())).as("no token").isEqualTo(401);
		assertThat(WsClient.refusal(url + "?token=" + this.issuer.token(user, TestIssuer.AUDIENCE, -3600), Map.of()))
			.as("expired")
			.isEqualTo(401);
		assertThat(WsClient.refusal(url + "?token=" + this.issuer.badlySignedToken(user), Map.of())).as("badly signed")
			.isEqualTo(401);
		assertThat(WsClient.refusal(url + "?token=" + this.issuer.token(user, "another-service", 3600), Map.of()))
			.as("wrong audience")
			.isEqualTo(401);
		assertThat(WsClient.refusal(url + "?token=not-a-jwt", Map.of())).as("garbage").isEqualTo(401);
		assertThat(WsClient.refusal(url + "?token=" + this.issuer.tokenWithSubject("alice"), Map.of()))
			.as("subject that is not a user id")
			.isEqualTo(401);
	}

	@Test
	void refusesForeignBrowserOriginsAndAcceptsAllowedOnes() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String url = chat.wsUrl(this.cluster.a, chat.client());
		assertThat(WsClient.refusal(url, Map.of("Origin", "https://evil.example"))).isEqualTo(403);
		try (WsClient allowed = WsClient.connect(url, Map.of("Origin", Replica.ALLOWED_ORIGIN))) {
			allowed.send("{\"type\":\"ping\"}");
			expectType(allowed.next(), "pong");
		}
	}

	@Test
	void checksTheOriginBeforeTheTokenSoACrossSiteHandshakeCostsNoTokenOrDatabaseWork() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String url = this.cluster.a.wsUrl() + chat.wsPath();
		assertThat(WsClient.refusal(url + "?token=not-a-jwt", Map.of("Origin", "https://evil.example")))
			.as("refused for its origin, not for its token")
			.isEqualTo(403);
		assertThat(WsClient.refusal(url, Map.of("Origin", "https://evil.example"))).isEqualTo(403);
		assertThat(WsClient.refusal(url + "?token=not-a-jwt", Map.of("Origin", Replica.ALLOWED_ORIGIN))).isEqualTo(401);
	}

	@Test
	void negotiatesNoCompressionWithABrowserThatOffersIt() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		RawHandshake.Answer answer = RawHandshake.send(this.cluster.a,
				chat.wsPath() + "?token=" + chat.client().token(),
				Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
		assertThat(answer.status()).isEqualTo(101);
		assertThat(answer.header("Sec-WebSocket-Extensions")).isNull();
	}

	@Test
	void refusesAMalformedResumePointWith400() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		assertThat(WsClient.refusal(chat.wsUrl(this.cluster.a, chat.client()) + "&after_id=abc", Map.of()))
			.isEqualTo(400);
	}

}
