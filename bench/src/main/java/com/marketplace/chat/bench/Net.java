package com.marketplace.chat.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.marketplace.chat.testing.ProcessReplica;
import com.marketplace.chat.testing.TestIssuer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bench's network side: one JDK {@link HttpClient} per replica for WebSockets (each
 * has its own selector thread), one for REST, tokens signed in parallel, chats created
 * and sockets opened in bounded parallel batches.
 */
final class Net implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private final Options options;

	private final List<ProcessReplica> replicas;

	private final List<HttpClient> wsClients = new ArrayList<>();

	private final ExecutorService executor = Executors.newFixedThreadPool(4, (runnable) -> {
		Thread thread = new Thread(runnable, "bench-io");
		thread.setDaemon(true);
		return thread;
	});

	final HttpClient rest;

	Net(Options options, List<ProcessReplica> replicas) {
		this.options = options;
		this.replicas = replicas;
		for (int i = 0; i < replicas.size(); i++) {
			this.wsClients
				.add(HttpClient.newBuilder().executor(this.executor).connectTimeout(Duration.ofSeconds(15)).build());
		}
		this.rest = HttpClient.newBuilder()
			.executor(this.executor)
			.connectTimeout(Duration.ofSeconds(10))
			.version(HttpClient.Version.HTTP_1_1)
			.build();
	}

	/**
	 * Tokens outlive the longest run: the admin's serves every workload, and a connection
	 * whose token expires is closed.
	 */
	private static final long TOKEN_SECONDS = 24 * 3600;

	static String token(TestIssuer issuer, long id, String role) {
		return issuer.token(id, TestIssuer.AUDIENCE, TOKEN_SECONDS, role);
	}

	/** Tokens for users {@code ids[i]} with {@code roles[i]}, signed on all cores. */
	static String[] tokens(TestIssuer issuer, long[] ids, String[] roles) {
		return IntStream.range(0, ids.length)
			.parallel()
			.mapToObj((i) -> token(issuer, ids[i], roles[i]))
			.toArray(String[]::new);
	}

	/**
	 * Creates the service chats {@code (clients[i], masters[i])} as an admin; returns
	 * their ids.
	 */
	long[] createServiceChats(String adminToken, long[] clients, long[] masters) throws Exception {
		long[] ids = new long[clients.length];
		Semaphore permits = new Semaphore(16);
		List<CompletableFuture<?>> pending = new ArrayList<>();
		for (int i = 0; i < clients.length; i++) {
			int c = i;
			permits.acquire();
			ProcessReplica replica = this.replicas.get(i % this.replicas.size());
			HttpRequest request = HttpRequest.newBuilder(URI.create(replica.httpUrl() + "/api/service-chats"))
				.timeout(Duration.ofSeconds(30))
				.header("Authorization", "Bearer " + adminToken)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers
					.ofString("{\"client_id\":" + clients[i] + ",\"master_id\":" + masters[i] + "}"))
				.build();
			pending.add(this.rest.sendAsync(request, HttpResponse.BodyHandlers.ofString())
				.whenComplete((response, failure) -> {
					permits.release();
					if (failure != null) {
						throw new IllegalStateException("creating chat " + c + " failed", failure);
					}
					if (response.statusCode() != 201 && response.statusCode() != 200) {
						throw new IllegalStateException(
								"creating chat " + c + ": HTTP " + response.statusCode() + " " + response.body());
					}
					JsonNode chat = JSON.readTree(response.body());
					ids[c] = chat.get("id").asLong();
				}));
		}
		CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
		return ids;
	}

	/**
	 * What to open: connection {@code i} goes to {@code replica[i]} with {@code token[i]}
	 * to {@code path[i]}.
	 */
	record Plan(int[] replica, String[] token, String[] path) {
	}

	/**
	 * Opens every planned socket, {@code connectParallelism} handshakes at a time,
	 * retrying a failed handshake twice. Fails if any socket cannot be opened.
	 */
	void open(List<WsConnection> connections, Plan plan) throws Exception {
		Semaphore permits = new Semaphore(this.options.connectParallelism);
		AtomicInteger failed = new AtomicInteger();
		List<CompletableFuture<?>> pending = new ArrayList<>();
		List<String> firstFailures = new ArrayList<>();
		for (int i = 0; i < connections.size(); i++) {
			permits.acquire();
			WsConnection connection = connections.get(i);
			int replica = plan.replica()[i];
			URI uri = URI.create(this.replicas.get(replica).wsUrl() + plan.path()[i]);
			pending.add(connect(replica, uri, plan.token()[i], connection, 3).whenComplete((ws, failure) -> {
				permits.release();
				if (failure != null) {
					failed.incrementAndGet();
					synchronized (firstFailures) {
						if (firstFailures.size() < 3) {
							firstFailures.add(uri + ": " + failure);
						}
					}
				}
			}));
		}
		try {
			CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
		}
		catch (Exception ex) {
			// counted below
		}
		if (failed.get() > 0) {
			throw new IllegalStateException(
					failed.get() + " of " + connections.size() + " WebSocket handshakes failed, e.g. " + firstFailures);
		}
	}

	private CompletableFuture<java.net.http.WebSocket> connect(int replica, URI uri, String token,
			WsConnection connection, int attempts) {
		return this.wsClients.get(replica)
			.newWebSocketBuilder()
			.header("Authorization", "Bearer " + token)
			.connectTimeout(Duration.ofSeconds(30))
			.buildAsync(uri, connection)
			.exceptionallyCompose((failure) -> {
				if (attempts <= 1) {
					return CompletableFuture.failedFuture(failure);
				}
				return CompletableFuture
					.supplyAsync(() -> null, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS))
					.thenCompose((ignored) -> connect(replica, uri, token, connection, attempts - 1));
			});
	}

	/** Closes the sockets and waits (a little) until the server side let them go. */
	static void closeAll(List<WsConnection> connections) throws InterruptedException {
		for (WsConnection connection : connections) {
			connection.close();
		}
		Thread.sleep(2000);
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
