package com.marketplace.chat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * Chats of two participants with {@code devices} connections each, spread over the
 * replicas so that every message crosses replicas (the client's devices on one replica,
 * the master's on another). Messages go out on an open-model {@link Timetable}; each
 * delivery is checked by the {@link Ledger} and its latency, from the scheduled send time
 * to the receipt, goes into an HdrHistogram.
 */
final class ChatWorkload {

	/**
	 * What one timed run measured (results.jsonl's line of a chat workload; a ceiling
	 * step reads its figures from one). Latency runs from the scheduled send to the
	 * receipt; deliveries still missing at the end enter it at their lower bound
	 * ({@code undelivered_in_latency}). {@code throughput_deliveries_per_s} counts all
	 * deliveries over the whole run, drain included: what an overloaded cluster got
	 * through.
	 */
	record Run(String description, Integer chats, Integer connections, Integer connectionsPerChat,
			Integer setupReconnects, Integer deliveriesPerMessage, Double targetRate, Double warmupS, Double durationS,
			Long measuredMessages, Long measuredDeliveries, Long deliveriesPerS, Long throughputDeliveriesPerS,
			@JsonUnwrapped Commits.Figures commits, Long undeliveredInLatency, Latency latencyMs, Latency ackLatencyMs,
			SendLag sendLagMs, Ledger.Tally ledger, Double drainS, Usage.Cpu cpu,
			List<double[]> percentileCurveMs) implements Result.Figures {

		Run described(String description) {
			return new Run(description, this.chats, this.connections, this.connectionsPerChat, this.setupReconnects,
					this.deliveriesPerMessage, this.targetRate, this.warmupS, this.durationS, this.measuredMessages,
					this.measuredDeliveries, this.deliveriesPerS, this.throughputDeliveriesPerS, this.commits,
					this.undeliveredInLatency, this.latencyMs, this.ackLatencyMs, this.sendLagMs, this.ledger,
					this.drainS, this.cpu, this.percentileCurveMs);
		}

	}

	/**
	 * How late the generator itself sent (ms): if this is large, the machine starved it
	 * too.
	 */
	record SendLag(double p99, double max) {
	}

	record Shape(int chats, int devices) {

		int perChat() {
			return 2 * this.devices;
		}

		int connections() {
			return this.chats * perChat();
		}

	}

	private final Bench bench;

	private final Shape shape;

	private final List<WsConnection> connections = new ArrayList<>();

	private final AtomicReference<Step> current = new AtomicReference<>();

	private final AtomicInteger closedDuringRun = new AtomicInteger();

	private final Map<String, Integer> closeReasons = new java.util.concurrent.ConcurrentHashMap<>();

	private final String padding;

	private int setupReconnects;

	ChatWorkload(Bench bench, Shape shape) {
		this.bench = bench;
		this.shape = shape;
		this.padding = "x".repeat(Math.max(0, bench.options.contentBytes));
	}

	/** Tokens, chats (through the REST API) and sockets. */
	void setUp() throws Exception {
		long started = System.nanoTime();
		int chats = this.shape.chats();
		long base = this.bench.nextUserBase();
		ChatParties parties = ChatParties.of(base, chats);
		String[] tokens = Net.tokens(this.bench.issuer, parties.userIds(), parties.roles());
		long[] chatIds = this.bench.net.createServiceChats(this.bench.adminToken, parties.clients(), parties.masters());
		int perChat = this.shape.perChat();
		int replicas = this.bench.cluster.replicas().size();
		int total = this.shape.connections();
		int[] replica = new int[total];
		String[] token = new String[total];
		String[] path = new String[total];
		WsConnection.Handler handler = new Handler();
		for (int c = 0; c < chats; c++) {
			for (int l = 0; l < perChat; l++) {
				int g = c * perChat + l;
				int participant = l % 2;
				replica[g] = (c + participant) % replicas;
				token[g] = tokens[2 * c + participant];
				path[g] = "/ws/service-chats/" + chatIds[c];
				this.connections.add(new WsConnection(g, chatIds[c], handler));
			}
		}
		this.bench.net.open(this.connections, new Net.Plan(replica, token, path));
		// A replica may accept a handshake and then close the socket (1011 when it cannot
		// read the chat's state in time); a real client reconnects, and so does the
		// bench, up to ten rounds, a few seconds apart.
		for (int round = 1;; round++) {
			Thread.sleep(1000);
			List<Integer> dropped = new ArrayList<>();
			for (WsConnection connection : this.connections) {
				if (connection.closed) {
					dropped.add(connection.index);
				}
			}
			if (dropped.isEmpty()) {
				break;
			}
			if (round > 10) {
				throw new IllegalStateException(dropped.size() + " connections still closed right after their "
						+ "handshake after 10 rounds of reconnecting (code "
						+ this.connections.get(dropped.get(0)).closeCode + ")");
			}
			System.out.printf("  %d connections were closed right after their handshake (e.g. code %d); reopening%n",
					dropped.size(), this.connections.get(dropped.get(0)).closeCode);
			this.setupReconnects += dropped.size();
			Thread.sleep(Math.min(5000L, 1000L * round));
			List<WsConnection> again = new ArrayList<>();
			int[] r = new int[dropped.size()];
			String[] t = new String[dropped.size()];
			String[] p = new String[dropped.size()];
			for (int i = 0; i < dropped.size(); i++) {
				int g = dropped.get(i);
				WsConnection fresh = new WsConnection(g, this.connections.get(g).chatId, handler);
				this.connections.set(g, fresh);
				again.add(fresh);
				r[i] = replica[g];
				t[i] = token[g];
				p[i] = path[g];
			}
			this.bench.net.open(again, new Net.Plan(r, t, p));
		}
		System.out.printf("  set up %d chats, %d connections over %d replicas in %.1f s%n", chats, total, replicas,
				(System.nanoTime() - started) / 1e9);
	}

	void tearDown() throws InterruptedException {
		Net.closeAll(this.connections);
	}

	/*
	 * client_message_id is "<connection>-<n>": unique per device. The server deduplicates
	 * per sending *user*, and in the group workload a user has ten devices.
	 */

	/**
	 * Content: {@code <sender connection>:<n>:<scheduled nanoTime>:} padded to the
	 * configured size.
	 */
	String content(int sender, long n, long scheduled) {
		String head = sender + ":" + n + ":" + scheduled + ":";
		int pad = this.bench.options.contentBytes - head.length();
		return (pad > 0) ? head + this.padding.substring(0, pad) : head;
	}

	/** The sender, counter and scheduled time from a content, or {@code null}. */
	static long[] parseContent(String content) {
		int a = content.indexOf(':');
		int b = (a < 0) ? -1 : content.indexOf(':', a + 1);
		int c = (b < 0) ? -1 : content.indexOf(':', b + 1);
		if (c < 0) {
			return null;
		}
		try {
			return new long[] { Long.parseLong(content, 0, a, 10), Long.parseLong(content, a + 1, b, 10),
					Long.parseLong(content, b + 1, c, 10) };
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * One timed run at one rate: the measurement state the receiving threads write into.
	 */
	static final class Step {

		final Ledger ledger;

		final long measureFrom;

		final long measureTo;

		final Histogram latency = new ConcurrentHistogram(1, TimeUnit.HOURS.toMicros(1), 3);

		final Histogram ackLatency = new ConcurrentHistogram(1, TimeUnit.HOURS.toMicros(1), 3);

		final AtomicInteger errorFrames = new AtomicInteger();

		final AtomicReference<String> firstError = new AtomicReference<>();

		Step(Ledger ledger, long measureFrom, long measureTo) {
			this.ledger = ledger;
			this.measureFrom = measureFrom;
			this.measureTo = measureTo;
		}

		boolean measured(long scheduled) {
			return scheduled >= this.measureFrom && scheduled < this.measureTo;
		}

		static void record(Histogram histogram, long nanos) {
			histogram.recordValue(Math.min(Math.max(1, nanos / 1000), histogram.getHighestTrackableValue()));
		}

	}

	private final class Handler implements WsConnection.Handler {

		@Override
		public void onFrame(WsConnection connection, String text) {
			long now = System.nanoTime();
			Step step = current.get();
			if (step == null) {
				return;
			}
			JsonNode frame = Net.JSON.readTree(text);
			String type = frame.path("type").asString("");
			switch (type) {
				case "message" -> {
					long[] parsed = parseContent(frame.path("content").asString(""));
					if (parsed == null) {
						step.ledger.delivered(connection.index, -1, -1, frame.path("seq").asLong());
						return;
					}
					Ledger.Outcome outcome = step.ledger.delivered(connection.index, (int) parsed[0], parsed[1],
							frame.path("seq").asLong());
					if (outcome == Ledger.Outcome.FIRST && step.measured(parsed[2])) {
						Step.record(step.latency, now - parsed[2]);
					}
				}
				case "ack" -> {
					String id = frame.path("client_message_id").asString(null);
					int dash = (id == null) ? -1 : id.indexOf('-');
					if (dash < 0) {
						step.ledger.acked(connection.index, -1, frame.path("seq").asLong());
						return;
					}
					long n = Long.parseLong(id, dash + 1, id.length(), 10);
					step.ledger.acked(connection.index, n, frame.path("seq").asLong());
					long scheduled = step.ledger.scheduledAt(connection.index, n);
					if (step.measured(scheduled)) {
						Step.record(step.ackLatency, now - scheduled);
					}
				}
				case "error" -> {
					step.ledger.error();
					step.errorFrames.incrementAndGet();
					step.firstError.compareAndSet(null, text);
				}
				default -> {
				}
			}
		}

		@Override
		public void onClosed(WsConnection connection, int code, String reason) {
			if (current.get() != null) {
				closedDuringRun.incrementAndGet();
				closeReasons.merge(code + " " + reason, 1, Integer::sum);
			}
		}

	}

	/**
	 * Sends for {@code warmup + duration} seconds at {@code rate}, measuring only
	 * messages scheduled after the warm-up, then waits up to the drain time for the rest.
	 */
	Run run(double rate, double warmup, double duration) throws Exception {
		if (!this.bench.options.clientMessageIds) {
			throw new IllegalStateException("the ledger maps acks by client_message_id");
		}
		int chats = this.shape.chats();
		int perChat = this.shape.perChat();
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
		Timetable timetable = Timetable.of(start, rate, warmup + duration);
		long warmCount = (long) Math.ceil(rate * warmup);
		long measureFrom = timetable.scheduledAt(warmCount);
		Step step = new Step(new Ledger(this.connections.size(), perChat), measureFrom, timetable.endNanos());
		this.closedDuringRun.set(0);
		this.closeReasons.clear();
		this.current.set(step);
		Histogram sendLag = new Histogram(1, TimeUnit.HOURS.toMicros(1), 3);
		Usage usage = null;
		Commits commits = null;
		long k = 0;
		while (k < timetable.count()) {
			long now = System.nanoTime();
			long due = timetable.dueBy(now);
			for (; k < due; k++) {
				long scheduled = timetable.scheduledAt(k);
				if (usage == null && k >= warmCount) {
					usage = Usage.start(this.bench.cluster.replicas());
					commits = Commits.start(this.bench.cluster);
				}
				int chat = Timetable.chatOf(k, chats);
				WsConnection sender = this.connections.get(chat * perChat + Timetable.senderOf(k, chats, perChat));
				long n = sender.nextN++;
				step.ledger.sent(sender.index, n, scheduled);
				sender.send("{\"type\":\"message\",\"content\":\"" + content(sender.index, n, scheduled)
						+ "\",\"client_message_id\":\"" + sender.index + "-" + n + "\"}");
				if (k >= warmCount) {
					Step.record(sendLag, System.nanoTime() - scheduled);
				}
			}
			if (k < timetable.count()) {
				long wait = timetable.scheduledAt(k) - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
			}
		}
		if (usage == null) {
			usage = Usage.start(this.bench.cluster.replicas());
			commits = Commits.start(this.bench.cluster);
		}
		Usage.Cpu used = usage.stop();
		Commits.Figures committed = commits.stop();
		long sendEnd = System.nanoTime();
		long drainDeadline = sendEnd + (long) (this.bench.options.drain * 1e9);
		while (System.nanoTime() < drainDeadline) {
			Ledger.Summary now = step.ledger.summary();
			if (now.deliveries() >= now.expectedDeliveries() && now.acked() + now.errors() >= now.sent()) {
				break;
			}
			Thread.sleep(100);
		}
		double drained = (System.nanoTime() - sendEnd) / 1e9;
		// Late or duplicate frames after the drain still count: wait a moment before the
		// summary.
		Thread.sleep(300);
		this.current.set(null);
		Ledger.Summary summary = step.ledger.summary();
		long measuredDelivered = step.latency.getTotalCount();
		long end = System.nanoTime();
		long[] undelivered = new long[1];
		step.ledger.forEachMissing((missing, scheduled) -> {
			if (step.measured(scheduled)) {
				undelivered[0] += missing;
				long micros = Math.min(Math.max(1, (end - scheduled) / 1000), step.latency.getHighestTrackableValue());
				step.latency.recordValueWithCount(micros, missing);
			}
		});

		long measuredMessages = timetable.count() - warmCount;
		Ledger.Tally ledger = Ledger.Tally.of(summary, this.closedDuringRun.get(), this.closeReasons,
				step.firstError.get());
		return new Run(null, chats, this.connections.size(), perChat, this.setupReconnects, perChat - 1, rate, warmup,
				duration, measuredMessages, measuredDelivered, Math.round(measuredDelivered / duration),
				Math.round(summary.deliveries() / (warmup + duration + drained)), committed, undelivered[0],
				Latency.of(step.latency), Latency.of(step.ackLatency),
				new SendLag(Latency.ms(sendLag.getValueAtPercentile(99)), Latency.ms(sendLag.getMaxValue())), ledger,
				Usage.round(drained), used, Latency.curve(step.latency));
	}

}
