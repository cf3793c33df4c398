package com.marketplace.chat.testing;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;

/** Chats made through the REST API, with a fresh client and master (or agent) each. */
public final class Chats {

	private static final AtomicLong nextUserId = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

	private Chats() {
	}

	/** A user id no other test of this JVM uses. */
	public static long newUserId() {
		return nextUserId.incrementAndGet();
	}

	public record Party(long id, String token) {

		public static Party newUser(String... roles) {
			long id = newUserId();
			return new Party(id, TestIssuer.get().token(id, roles));
		}

	}

	public record Chat(String kind, long id, Party client, Party other) {

		public String wsPath() {
			return "/ws/" + this.kind + "-chats/" + this.id;
		}

		public String apiPath() {
			return "/api/" + this.kind + "-chats/" + this.id;
		}

		public String wsUrl(Endpoint replica, Party party) {
			return replica.wsUrl() + wsPath() + "?token=" + party.token();
		}

	}

	public static Chat serviceChat(Endpoint replica) {
		Party client = Party.newUser("client");
		Party master = Party.newUser("master");
		Rest.Response created = Rest.post(replica, "/api/service-chats", client.token(),
				Map.of("client_id", client.id(), "master_id", master.id()));
		if (created.status() != 201) {
			throw new AssertionError("creating a service chat answered " + created.status() + ": " + created.raw());
		}
		return new Chat("service", created.body().get("id").asLong(), client, master);
	}

	public static Chat supportChat(Endpoint replica) {
		Party client = Party.newUser("client");
		Party agent = Party.newUser("support");
		Rest.Response created = Rest.post(replica, "/api/support-chats", client.token(), Map.of());
		if (created.status() != 201) {
			throw new AssertionError("creating a support chat answered " + created.status() + ": " + created.raw());
		}
		long id = created.body().get("id").asLong();
		Rest.Response taken = Rest.post(replica, "/api/support-chats/" + id + "/assignee", agent.token(), Map.of());
		if (taken.status() != 200) {
			throw new AssertionError("taking a support chat answered " + taken.status() + ": " + taken.raw());
		}
		return new Chat("support", id, client, agent);
	}

	public static JsonNode expectType(JsonNode frame, String type) {
		if (!type.equals(frame.path("type").asString())) {
			throw new AssertionError("expected a '" + type + "' frame but got " + frame);
		}
		return frame;
	}

}
