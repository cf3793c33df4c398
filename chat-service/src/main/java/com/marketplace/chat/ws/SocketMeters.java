package com.marketplace.chat.ws;

import java.time.Duration;

import com.marketplace.chat.system.OffPathMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * The WebSocket layer's meters, labelled by {@code protocol} ({@code raw} for the
 * endpoints of the original module, {@code stomp} for {@code /ws/stomp}).
 */
@Component
class SocketMeters {

	static final String RAW = "raw";

	static final String STOMP = "stomp";

	private final MeterRegistry registry;

	final OffPathMeters.Samples outboxWait;

	final OffPathMeters.Samples feedWait;

	SocketMeters(MeterRegistry registry, OffPathMeters offPath) {
		this.registry = registry;
		this.outboxWait = offPath.timer(Timer.builder("chat.ws.outbox.wait")
			.description("Time a frame waits in a connection's outbox before it is written")
			.publishPercentileHistogram()
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(registry));
		this.feedWait = offPath.timer(Timer.builder("chat.ws.feed.wait")
			.description("Time a message given to a connection waited in its feed for the connection's own "
					+ "sends to settle (only messages that waited)")
			.publishPercentileHistogram()
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(registry));
	}

	Counter received(String protocol) {
		return Counter.builder("chat.messages.received")
			.description("Messages stored from this replica's WebSocket connections")
			.tag("protocol", protocol)
			.register(this.registry);
	}

	Counter slowReaders(String protocol) {
		return Counter.builder("chat.ws.slow.reader.disconnects")
			.description("Connections closed with 1013 because they could not keep up")
			.tag("protocol", protocol)
			.register(this.registry);
	}

}
