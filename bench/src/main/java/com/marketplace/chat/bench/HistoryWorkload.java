package com.marketplace.chat.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.marketplace.chat.testing.ProcessReplica;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * REST history reads on one chat holding {@code historyMessages} messages (inserted with
 * JDBC batches, {@code last_seq} set to match). {@code historyReaders} closed-loop
 * readers (each sends its next request when the previous answer arrived) read pages of
 * {@code historyPageSize} ending before a random message id, alternating replicas. This
 * is a throughput measure: reads per second at that concurrency, with their latency.
 */
final class HistoryWorkload {

	/**
	 * results.jsonl's line of the history workload: pages read per second, with their
	 * latency.
	 */
	record Reads(Integer messagesInChat, Double insertS, Integer readers, Integer pageSize, Double warmupS,
			Double durationS, Long reads, Long readsPerS, Long failures, Latency latencyMs, Usage.Cpu cpu,
			List<double[]> percentileCurveMs) implements Result.Figures {
	}

	private final Bench bench;

	HistoryWorkload(Bench bench) {
		this.bench = bench;
	}

	Reads run() throws Exception {
		Options options = this.bench.options;
		long base = this.bench.nextUserBase();
		long client = base + 1;
		long master = base + 2;
		long chatId = this.bench.net.createServiceChats(this.bench.adminToken, new long[] { client },
				new long[] { master })[0];
		String token = Net.token(this.bench.issuer, client, "client");
		long inserting = System.nanoTime();
		long[] idRange = insert(chatId, client, master, options.historyMessages);
		double insertSeconds = (System.nanoTime() - inserting) / 1e9;
		System.out.printf("  inserted %d messages in %.1f s (ids %d..%d)%n", options.historyMessages, insertSeconds,
				idRange[0], idRange[1]);
		check(chatId, token);

		Histogram latency = new ConcurrentHistogram(1, TimeUnit.HOURS.toMicros(1), 3);
		AtomicLong failures = new AtomicLong();
		AtomicLong measured = new AtomicLong();
		long start = System.nanoTime();
		long measureFrom = start + (long) (options.warmup * 1e9);
		long end = measureFrom + (long) (options.duration * 1e9);
		List<ProcessReplica> replicas = this.bench.cluster.replicas();
		List<Thread> readers = new ArrayList<>();
		Usage[] usage = new Usage[1];
		Thread usageStarter = Thread.ofPlatform().start(() -> {
			try {
				Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
			}
			catch (InterruptedException ex) {
				return;
			}
			usage[0] = Usage.start(replicas);
		});
		for (int r = 0; r < options.historyReaders; r++) {
			int reader = r;
			readers.add(Thread.ofPlatform().name("history-" + r).start(() -> {
				long i = reader;
				while (true) {
					long now = System.nanoTime();
					if (now >= end) {
						return;
					}
					long before = ThreadLocalRandom.current().nextLong(idRange[0] + 1, idRange[1] + 2);
					ProcessReplica replica = replicas.get((int) (i++ % replicas.size()));
					HttpRequest request = HttpRequest
						.newBuilder(URI.create(replica.httpUrl() + "/api/service-chats/" + chatId
								+ "/messages?before_id=" + before + "&limit=" + options.historyPageSize))
						.timeout(Duration.ofSeconds(30))
						.header("Authorization", "Bearer " + token)
						.build();
					try {
						HttpResponse<byte[]> response = this.bench.net.rest.send(request,
								HttpResponse.BodyHandlers.ofByteArray());
						long took = System.nanoTime() - now;
						if (response.statusCode() != 200) {
							failures.incrementAndGet();
						}
						else if (now >= measureFrom) {
							measured.incrementAndGet();
							ChatWorkload.Step.record(latency, took);
						}
					}
					catch (Exception ex) {
						failures.incrementAndGet();
					}
				}
			}));
		}
		for (Thread reader : readers) {
			reader.join();
		}
		usageStarter.join();
		Usage.Cpu cpu = usage[0].stop();
		return new Reads(options.historyMessages, Usage.round(insertSeconds), options.historyReaders,
				options.historyPageSize, options.warmup, options.duration, measured.get(),
				Math.round(measured.get() / options.duration), failures.get(), Latency.of(latency), cpu,
				Latency.curve(latency));
	}

	/**
	 * Inserts the messages with batched JDBC, sets the chat's last_seq; returns the id
	 * range.
	 */
	private long[] insert(long chatId, long client, long master, int count) throws Exception {
		String padding = "h".repeat(Math.max(0, this.bench.options.contentBytes));
		Instant start = Instant.now().minus(count, ChronoUnit.SECONDS).truncatedTo(ChronoUnit.MICROS);
		try (Connection db = this.bench.cluster.jdbc()) {
			db.setAutoCommit(false);
			try (PreparedStatement insert = db.prepareStatement("INSERT INTO chat_messages "
					+ "(chat_kind, chat_id, seq, sender_id, content, client_message_id, created_at, origin) "
					+ "VALUES ('service', ?, ?, ?, ?, NULL, ?, NULL)")) {
				for (int seq = 1; seq <= count; seq++) {
					String head = "history " + seq + " ";
					insert.setLong(1, chatId);
					insert.setLong(2, seq);
					insert.setLong(3, (seq % 2 == 0) ? master : client);
					insert.setString(4, head + padding.substring(0, Math.max(0, padding.length() - head.length())));
					insert.setTimestamp(5, Timestamp.from(start.plusSeconds(seq)));
					insert.addBatch();
					if (seq % 2000 == 0 || seq == count) {
						insert.executeBatch();
						db.commit();
					}
				}
			}
			try (PreparedStatement update = db
				.prepareStatement("UPDATE service_chats SET last_seq = ?, last_activity_at = ? WHERE id = ?")) {
				update.setLong(1, count);
				update.setTimestamp(2, Timestamp.from(start.plusSeconds(count)));
				update.setLong(3, chatId);
				update.executeUpdate();
			}
			db.commit();
			try (PreparedStatement range = db.prepareStatement(
					"SELECT MIN(id), MAX(id) FROM chat_messages WHERE chat_kind = 'service' AND chat_id = ?")) {
				range.setLong(1, chatId);
				try (ResultSet rows = range.executeQuery()) {
					rows.next();
					return new long[] { rows.getLong(1), rows.getLong(2) };
				}
			}
		}
	}

	/** One page through the API before measuring: the inserted rows must be readable. */
	private void check(long chatId, String token) throws Exception {
		ProcessReplica replica = this.bench.cluster.replicas().get(0);
		HttpResponse<String> response = this.bench.net.rest.send(
				HttpRequest
					.newBuilder(URI.create(replica.httpUrl() + "/api/service-chats/" + chatId + "/messages?limit="
							+ this.bench.options.historyPageSize))
					.header("Authorization", "Bearer " + token)
					.build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(
					"history read failed: HTTP " + response.statusCode() + " " + response.body());
		}
		var page = Net.JSON.readTree(response.body());
		int size = page.isArray() ? page.size() : page.path("messages").size();
		if (size != this.bench.options.historyPageSize) {
			System.out.println("  note: first history page holds " + size + " messages: "
					+ response.body().substring(0, Math.min(300, response.body().length())));
		}
	}

}
