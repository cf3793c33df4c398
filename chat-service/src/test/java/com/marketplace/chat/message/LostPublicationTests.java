package com.marketplace.chat.message;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.message.BatchWriter.Request;
import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.transaction.support.TransactionTemplate;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message committed whose publication never reached Redis, and that no later message
 * reveals, is still delivered: the sweep finds it (within two sweep intervals, 1 s each
 * in tests) and reads it from MySQL, once.
 */
class LostPublicationTests {

	@Test
	void theSweepDeliversALostLastPublicationOnce() {
		Cluster cluster = Cluster.get();
		Chat chat = Chats.serviceChat(cluster.a);
		ChatKey key = new ChatKey(ChatKind.SERVICE, chat.id());
		try (WsClient master = WsClient.connect(chat.wsUrl(cluster.b, chat.other()))) {
			// A message sent the normal way first: once it has arrived, replica B listens
			// on the chat's channel and has caught up, so only the sweep can find what
			// follows.
			Rest.Response sent = Rest.post(cluster.a, chat.apiPath() + "/messages", chat.client().token(),
					Map.of("content", "published"));
			assertThat(sent.status()).isEqualTo(201);
			assertThat(expectType(master.next(), "message").get("seq").asLong()).isEqualTo(1);

			// Stored as a send would, but never published: what a lost publication looks
			// like.
			TransactionTemplate transactions = cluster.a.bean(WriterDatabase.class).transactions();
			ChatMessage unpublished = transactions
				.execute((status) -> cluster.a.bean(BatchWriter.class)
					.storeAll(List.of(new Request(key, chat.client().id(), "never published", "lost-1"))))
				.get(0)
				.sent()
				.message();

			JsonNode received = expectType(master.next(Duration.ofSeconds(5)), "message");
			assertThat(received.get("id").asLong()).isEqualTo(unpublished.id());
			assertThat(received.get("seq").asLong()).isEqualTo(2);
			assertThat(received.get("content").asString()).isEqualTo("never published");
			assertThat(master.drain(Duration.ofMillis(2500))).as("delivered once, not again by later sweeps").isEmpty();
		}
	}

}
