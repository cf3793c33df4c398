package com.marketplace.chat.chats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.testing.Chats;
import com.marketplace.chat.testing.Chats.Chat;
import com.marketplace.chat.testing.Chats.Party;
import com.marketplace.chat.testing.Cluster;
import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.Rest;
import com.marketplace.chat.testing.WsClient;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static com.marketplace.chat.testing.Chats.expectType;
import static org.assertj.core.api.Assertions.assertThat;

/** The REST API of DESIGN §4, with its permission failures, against two replicas. */
class RestApiTests {

	private final Cluster cluster = Cluster.get();

	private final Replica a = this.cluster.a;

	private final Replica b = this.cluster.b;

	@Test
	void createsServiceChatsOncePerPairForEitherPartyOrAnAdmin() {
		Party client = Party.newUser("client");
		Party master = Party.newUser("master");
		Map<String, Long> pair = Map.of("client_id", client.id(), "master_id", master.id());

		Rest.Response created = Rest.post(this.a, "/api/service-chats", master.token(), pair);
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.body().get("client_id").asLong()).isEqualTo(client.id());
		assertThat(created.body().get("participants")).hasSize(2);

		Rest.Response again = Rest.post(this.b, "/api/service-chats", client.token(), pair);
		assertThat(again.status()).as("the pair's existing chat").isEqualTo(200);
		assertThat(again.body().get("id").asLong()).isEqualTo(created.body().get("id").asLong());

		Party admin = Party.newUser("admin");
		Rest.Response byAdmin = Rest.post(this.a, "/api/service-chats", admin.token(),
				Map.of("client_id", client.id(), "master_id", Cluster.newUserId()));
		assertThat(byAdmin.status()).isEqualTo(201);

		Party stranger = Party.newUser("client");
		assertProblem(Rest.post(this.a, "/api/service-chats", stranger.token(), pair), 403);
		assertProblem(Rest.post(this.a, "/api/service-chats", client.token(),
				Map.of("client_id", client.id(), "master_id", client.id())), 400);
		assertProblem(Rest.post(this.a, "/api/service-chats", client.token(), Map.of("client_id", client.id())), 400);
		assertProblem(Rest.post(this.a, "/api/service-chats", null, pair), 401);
	}

	@Test
	void listsTheCallersChatsNewestActivityFirstAndShowsOneOnlyToParticipantsAndAdmins() {
		Party client = Party.newUser("client");
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ids.add(Rest
				.post(this.a, "/api/service-chats", client.token(),
						Map.of("client_id", client.id(), "master_id", Cluster.newUserId()))
				.body()
				.get("id")
				.asLong());
		}
		Rest.post(this.a, "/api/service-chats/" + ids.get(0) + "/messages", client.token(), Map.of("content", "bump"));

		JsonNode mine = Rest.get(this.b, "/api/service-chats", client.token()).body();
		assertThat(ids(mine)).containsExactly(ids.get(0), ids.get(2), ids.get(1));

		String one = "/api/service-chats/" + ids.get(1);
		assertThat(Rest.get(this.a, one, client.token()).body().get("id").asLong()).isEqualTo(ids.get(1));
		assertThat(Rest.get(this.a, one, Party.newUser("admin").token()).status()).isEqualTo(200);
		assertProblem(Rest.get(this.a, one, Party.newUser("client").token()), 403);
		assertProblem(Rest.get(this.a, "/api/service-chats/987654321", client.token()), 403);
	}

	@Test
	void pagesHistoryWithBeforeAndAfterIds() {
		Chat chat = Chats.serviceChat(this.a);
		List<Long> sent = new ArrayList<>();
		for (int i = 1; i <= 7; i++) {
			sent.add(Rest.post(this.a, chat.apiPath() + "/messages", chat.client().token(), Map.of("content", "m" + i))
				.body()
				.get("id")
				.asLong());
		}
		String messages = chat.apiPath() + "/messages";
		String token = chat.other().token();
		assertThat(ids(Rest.get(this.b, messages, token).body())).containsExactlyElementsOf(sent);
		assertThat(ids(Rest.get(this.b, messages + "?limit=3", token).body()))
			.containsExactlyElementsOf(sent.subList(4, 7));
		assertThat(ids(Rest.get(this.b, messages + "?limit=3&before_id=" + sent.get(4), token).body()))
			.containsExactlyElementsOf(sent.subList(1, 4));
		assertThat(ids(Rest.get(this.b, messages + "?limit=2&after_id=" + sent.get(1), token).body()))
			.containsExactlyElementsOf(sent.subList(2, 4));
		assertThat(ids(
				Rest.get(this.b, messages + "?after_id=" + sent.get(1) + "&before_id=" + sent.get(5), token).body()))
			.containsExactlyElementsOf(sent.subList(2, 5));
		JsonNode first = Rest.get(this.b, messages + "?limit=1&after_id=0", token).body().get(0);
		assertThat(first.get("seq").asLong()).isEqualTo(1);
		assertThat(first.get("content").asString()).isEqualTo("m1");
		assertThat(first.get("sender_id").asLong()).isEqualTo(chat.client().id());

		Chat other = Chats.serviceChat(this.a);
		long foreignId = Rest
			.post(this.a, other.apiPath() + "/messages", other.client().token(), Map.of("content", "elsewhere"))
			.body()
			.get("id")
			.asLong();
		assertThat(ids(Rest.get(this.b, messages + "?before_id=" + foreignId, token).body()))
			.as("an id from another chat still pages by id")
			.containsExactlyElementsOf(sent);
		assertThat(Rest.get(this.b, messages + "?after_id=" + foreignId, token).body()).isEmpty();

		assertProblem(Rest.get(this.b, messages + "?limit=0", token), 400);
		assertProblem(Rest.get(this.b, messages + "?limit=201", token), 400);
		assertProblem(Rest.get(this.b, messages + "?before_id=abc", token), 400);
		assertProblem(Rest.get(this.b, messages, Party.newUser("client").token()), 403);
	}

	@Test
	void sendsThroughRestToWebSocketClientsOfEveryReplica() {
		Chat chat = Chats.serviceChat(this.a);
		try (WsClient master = WsClient.connect(chat.wsUrl(this.a, chat.other()));
				WsClient clientPhone = WsClient.connect(chat.wsUrl(this.b, chat.client()))) {
			Rest.Response sent = Rest.post(this.b, chat.apiPath() + "/messages", chat.client().token(),
					Map.of("content", "via REST", "client_message_id", "rest-1"));
			assertThat(sent.status()).isEqualTo(201);
			long id = sent.body().get("id").asLong();
			assertThat(expectType(master.next(), "message").get("id").asLong()).isEqualTo(id);
			assertThat(expectType(clientPhone.next(), "message").get("id").asLong())
				.as("the sender's own devices get it too")
				.isEqualTo(id);

			Rest.Response retried = Rest.post(this.a, chat.apiPath() + "/messages", chat.client().token(),
					Map.of("content", "via REST", "client_message_id", "rest-1"));
			assertThat(retried.status()).as("a retry stores nothing new").isEqualTo(200);
			assertThat(retried.body().get("id").asLong()).isEqualTo(id);
			assertThat(master.drain(java.time.Duration.ofMillis(500))).as("and delivers nothing twice").isEmpty();
		}
		assertProblem(Rest.post(this.a, chat.apiPath() + "/messages", Party.newUser("client").token(),
				Map.of("content", "intruder")), 403);
		assertProblem(Rest.post(this.a, chat.apiPath() + "/messages", Party.newUser("admin").token(),
				Map.of("content", "admins are not participants")), 403);
		Rest.Response tooLong = Rest.post(this.a, chat.apiPath() + "/messages", chat.client().token(),
				Map.of("content", "x".repeat(4001)));
		assertProblem(tooLong, 400);
		assertThat(tooLong.body().get("code").asString()).isEqualTo("content_too_long");
		assertProblem(Rest.post(this.a, chat.apiPath() + "/messages", chat.client().token(), Map.of("content", " ")),
				400);
	}

	@Test
	void runsTheSupportQueueAndAssignment() {
		Party client = Party.newUser("client");
		Party agent = Party.newUser("support");
		Party otherAgent = Party.newUser("support");
		Party admin = Party.newUser("admin");

		Rest.Response opened = Rest.post(this.a, "/api/support-chats", client.token(), Map.of());
		assertThat(opened.status()).isEqualTo(201);
		assertThat(opened.body().get("status").asString()).isEqualTo("unassigned");
		long id = opened.body().get("id").asLong();
		String path = "/api/support-chats/" + id;

		assertThat(ids(Rest.get(this.b, "/api/support-chats?status=unassigned&limit=200", agent.token()).body()))
			.contains(id);
		assertProblem(Rest.get(this.b, "/api/support-chats?status=unassigned", client.token()), 403);
		Rest.Response badLimit = Rest.get(this.b, "/api/support-chats?limit=0", client.token());
		assertProblem(badLimit, 400);
		assertThat(badLimit.body().get("code").asString()).isEqualTo("invalid_request");
		assertThat(WsClient.refusal(this.a.wsUrl() + "/ws/support-chats/" + id + "?token=" + agent.token(), Map.of()))
			.as("an agent joins only once assigned")
			.isEqualTo(403);

		Rest.Response taken = Rest.post(this.b, path + "/assignee", agent.token(), Map.of());
		assertThat(taken.status()).isEqualTo(200);
		assertThat(taken.body().get("support_id").asLong()).isEqualTo(agent.id());
		assertThat(taken.body().get("status").asString()).isEqualTo("assigned");
		Rest.Response clash = Rest.post(this.a, path + "/assignee", otherAgent.token(), Map.of());
		assertProblem(clash, 409);
		assertThat(clash.body().get("code").asString()).isEqualTo("already_assigned");
		Rest.Response denied = Rest.post(this.a, path + "/assignee", client.token(), Map.of());
		assertProblem(denied, 403);
		assertThat(denied.body().get("code").asString()).isEqualTo("forbidden");
		assertProblem(Rest.post(this.a, path + "/assignee", agent.token(), Map.of("support_id", otherAgent.id())), 403);

		assertThat(ids(Rest.get(this.a, "/api/support-chats", client.token()).body())).containsExactly(id);
		assertThat(ids(Rest.get(this.a, "/api/support-chats", agent.token()).body())).containsExactly(id);
		assertThat(ids(Rest.get(this.a, "/api/support-chats?status=unassigned&limit=200", agent.token()).body()))
			.doesNotContain(id);

		Rest.Response reassigned = Rest.post(this.a, path + "/assignee", admin.token(),
				Map.of("support_id", otherAgent.id()));
		assertThat(reassigned.body().get("support_id").asLong()).isEqualTo(otherAgent.id());
		assertProblem(Rest.post(this.a, path + "/messages", agent.token(), Map.of("content", "no longer mine")), 403);
		assertThat(Rest.post(this.a, path + "/messages", otherAgent.token(), Map.of("content", "hello")).status())
			.isEqualTo(201);

		Rest.Response forClient = Rest.post(this.a, "/api/support-chats", admin.token(),
				Map.of("client_id", client.id()));
		assertThat(forClient.status()).isEqualTo(201);
		assertThat(forClient.body().get("client_id").asLong()).isEqualTo(client.id());
		assertProblem(Rest.post(this.a, "/api/support-chats", client.token(), Map.of("client_id", Cluster.newUserId())),
				403);
	}

	private static List<Long> ids(JsonNode array) {
		List<Long> ids = new ArrayList<>();
		array.forEach((item) -> ids.add(item.get("id").asLong()));
		return ids;
	}

	private static void assertProblem(Rest.Response response, int status) {
		assertThat(response.status()).as(response.raw()).isEqualTo(status);
		assertThat(response.body().get("status").asInt()).isEqualTo(status);
		assertThat(response.body().get("detail")).as("problem details explain what went wrong").isNotNull();
	}

}
