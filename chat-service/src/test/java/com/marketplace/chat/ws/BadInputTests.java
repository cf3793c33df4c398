package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets an error frame and loses nothing; only an oversized frame closes. */
class BadInputTests {

	private final Cluster cluster = Cluster.get();

	@ParameterizedTest(name = "{1} for {0}")
	@CsvSource(delimiter = '|', textBlock = """
			not json at all                                         | invalid_json
			{"type":"message","content":"unterminated               | invalid_json
			[1,2,3]                                                 | invalid_frame
			"just a string"                                         | invalid_frame
			{"content":"no type"}                                   | invalid_frame
			{"type":42}                                             | invalid_frame
			{"type":"shout","content":"hi"}                         | unknown_type
			{"type":"message"}                                      | invalid_content
			{"type":"message","content":null}                       | invalid_content
			{"type":"message","content":"   "}                      | invalid_content
			{"type":"message","content":17}                         | invalid_content
			{"type":"message","content":["a"]}                      | invalid_content
			{"type":"message","content":"hi","client_message_id":5} | invalid_client_message_id
			{"type":"message","content":"hi","client_message_id":""} | invalid_client_message_id
			{"type":"message","content":"nul \\u0000 inside"}     | invalid_content
			{"type":"message","content":"bell \\u0007"}           | invalid_content
			{"type":"message","content":"lone \\ud800 surrogate"} | invalid_content
			{"type":"message","content":"hi","client_message_id":"a\\tb"} | invalid_client_message_id
			{"type":"auth"}                                         | invalid_token
			{"type":"auth","token":"garbage"}                       | invalid_token
			""")
	void answersBadFramesWithAnErrorAndKeepsTheConnectionWorking(String frame, String code) {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			client.send(frame);
			JsonNode error = expectType(client.next(), "error");
			assertThat(error.get("code").asString()).isEqualTo(code);
			assertThat(error.get("message").asString()).isNotBlank();

			client.sendMessage("still here");
			expectType(client.next(), "ack");
			JsonNode delivered = expectType(master.next(), "message");
			assertThat(delivered.get("content").asString()).isEqualTo("still here");
			assertThat(delivered.get("seq").asLong()).as("the bad frame stored nothing").isEqualTo(1);
		}
	}

	@Test
	void refusesContentOverTheLimitButAcceptsContentAtIt() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			client.sendMessage("я".repeat(4001));
			JsonNode error = expectType(client.next(), "error");
			assertThat(error.get("code").asString()).isEqualTo("content_too_long");

			client.sendJson(Map.of("type", "message", "content", "x", "client_message_id", "k".repeat(65)));
			assertThat(expectType(client.next(), "error").get("code").asString())
				.isEqualTo("invalid_client_message_id");

			String emojiAtLimit = "😀".repeat(4000);
			client.sendMessage(emojiAtLimit);
			JsonNode ack = expectType(client.next(), "ack");
			assertThat(ack.get("seq").asLong()).isEqualTo(1);
		}
	}

	@Test
	void refusesControlCharactersOverRestAsOverWebSocketAndStoresLineBreaksAsNewlines() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		Rest.Response nul = Rest.post(this.cluster.a, chat.apiPath() + "/messages", chat.client().token(),
				Map.of("content", "nul \u0000 inside"));
		assertThat(nul.status()).isEqualTo(400);
		assertThat(nul.body().get("code").asString()).isEqualTo("invalid_content");
		Rest.Response lone = Rest.postRaw(this.cluster.a, chat.apiPath() + "/messages", chat.client().token(),
				"{\"content\":\"lone \\ud800 surrogate\"}");
		assertThat(lone.status()).isEqualTo(400);
		assertThat(lone.body().get("code").asString()).isEqualTo("invalid_content");

		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			client.sendMessage("first\r\nsecond\rthird");
			expectType(client.next(), "ack");
		}
		Rest.Response history = Rest.get(this.cluster.b, chat.apiPath() + "/messages", chat.other().token());
		assertThat(history.body()).as("the refused sends stored nothing").hasSize(1);
		assertThat(history.body().get(0).get("content").asString()).isEqualTo("first\nsecond\nthird");
	}

	@Test
	void closesAnOversizedFrameWith1009() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()))) {
			client.sendMessage("x".repeat(40_000));
			assertThat(client.closeCode(Duration.ofSeconds(5))).isEqualTo(1009);
		}
	}

	@Test
	void answersPingWithPong() {
		Chat chat = Chats.supportChat(this.cluster.a);
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.b, chat.client()))) {
			client.send("{\"type\":\"ping\"}");
			assertThat(client.next()).isEqualTo(WsClient.JSON.readTree("{\"type\":\"pong\"}"));
		}
	}

	@Test
	void roundTripsCyrillicAndEmojiByteForByteOverWebSocketAndRest() {
		Chat chat = Chats.serviceChat(this.cluster.a);
		String text = "Привет, мастер! 🛠️👍🏽 — «ёлка» 𝄞";
		try (WsClient client = WsClient.connect(chat.wsUrl(this.cluster.a, chat.client()));
				WsClient master = WsClient.connect(chat.wsUrl(this.cluster.b, chat.other()))) {
			client.sendMessage(text);
			expectType(client.next(), "ack");
			assertThat(expectType(master.next(), "message").get("content").asString()).isEqualTo(text);

			Rest.Response viaRest = Rest.post(this.cluster.b, chat.apiPath() + "/messages", chat.other().token(),
					Map.of("content", text + " (REST)"));
			assertThat(viaRest.status()).isEqualTo(201);
			assertThat(expectType(client.next(), "message").get("content").asString()).isEqualTo(text + " (REST)");

			Rest.Response history = Rest.get(this.cluster.a, chat.apiPath() + "/messages", chat.client().token());
			assertThat(history.body().get(0).get("content").asString()).isEqualTo(text);
			assertThat(history.body().get(1).get("content").asString()).isEqualTo(text + " (REST)");
		}
	}

}
