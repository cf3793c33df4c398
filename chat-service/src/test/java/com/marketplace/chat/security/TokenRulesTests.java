package com.marketplace.chat.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.TestIssuer;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens must expire, and tokens signed with unknown keys cannot make the service fetch
 * keys at will.
 */
class TokenRulesTests {

	private final Cluster cluster = Cluster.get();

	private final TestIssuer issuer = TestIssuer.get();

	@Test
	void refusesATokenWithoutExpiryAtTheHandshakeInAuthFramesAndOverRest() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String eternal = this.issuer.tokenWithoutExpiry(chat.client().id(), "client");
		assertThat(WsClient.refusal(this.cluster.a.wsUrl() + chat.wsPath() + "?token=" + eternal, Map.of()))
			.isEqualTo(401);
		assertThat(Rest.get(this.cluster.b, "/api/service-chats", eternal).status()).isEqualTo(401);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			client.sendJson(Map.of("type", "auth", "token", eternal));
			assertThat(expectType(client.next(), "error").get("code").asString()).isEqualTo("invalid_token");
		}
		assertThat(Rest.get(this.cluster.b, "/api/service-chats", chat.client().token()).status())
			.as("the same user with a token that expires")
			.isEqualTo(200);
	}

	@Test
	void aFreshReplicaAcceptsManyFirstTokensAtOnce() throws Exception {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (Replica fresh = Replica.start("fresh-keys", Map.of());
				ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<Integer>> answers = new ArrayList<>();
			for (int i = 0; i < 24; i++) {
				answers
					.add(callers.submit(() -> Rest.get(fresh, "/api/service-chats", chat.client().token()).status()));
			}
			for (Future<Integer> answer : answers) {
				assertThat(answer.get()).as("a key id not seen before, by many callers at once").isEqualTo(200);
			}
		}
	}

	@Test
	void unknownKeyIdsFetchTheIssuersKeysAtMostOncePerInterval() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()))) {
			int before = this.issuer.requestCount();
			for (int i = 0; i < 20; i++) {
				client.sendJson(
						Map.of("type", "auth", "token", this.issuer.tokenSignedWithUnknownKey(chat.client().id())));
				assertThat(expectType(client.next(), "error").get("code").asString()).isEqualTo("invalid_token");
			}
			int fetched = this.issuer.requestCount() - before;
			System.out.printf("TokenRulesTests: 20 tokens with unknown key ids made %d key set fetches%n", fetched);
			assertThat(fetched).isLessThanOrEqualTo(1);
			client.sendJson(Map.of("type", "auth", "token", this.issuer.token(chat.client().id(), "client")));
			expectType(client.next(), "authenticated");
		}
		assertThat(Rest.get(this.cluster.b, "/api/service-chats", this.issuer.tokenSignedWithUnknownKey(1)).status())
			.isEqualTo(401);
	}

}
