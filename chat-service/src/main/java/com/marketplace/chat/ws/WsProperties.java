package com.marketplace.chat.ws;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * WebSocket settings, with the defaults a production deployment would pick.
 *
 * @param allowedOrigins browser origins (patterns such as {@code https://*.example.com})
 * allowed to connect; requests without an {@code Origin} header (apps, servers) are not
 * restricted; empty allows only same-origin pages
 * @param maxFrameSize largest accepted text frame, in UTF-16 characters; a larger frame
 * closes the connection with 1009
 * @param pingInterval how often the server sends a WebSocket ping to each connection
 * @param pongTimeout a connection that has not answered a ping for this long is closed
 * @param sendBufferLimit most bytes waiting to be sent to one connection; a reader that
 * falls further behind is closed with 1013
 * @param sendTimeLimit longest one frame may take to be written; slower readers are
 * closed with 1013
 * @param maxConnections connections one replica accepts before answering 503
 * @param maxConnectionsPerUser sockets one user may hold open on one replica; a handshake
 * past it gets 429, which load balancers do not retry elsewhere
 * @param resumeLimit most messages replayed on connect with {@code after_id}; older ones
 * are read from the REST history
 * @param messageRate sustained frames per second one connection may send, whatever their
 * type ({@code message}, {@code ping}, {@code auth}, or invalid ones)
 * @param messageBurst how many frames may come at once above that rate
 * @param floodLimit refused frames in a row ({@code rate_limited}) before the connection
 * is closed with 1008
 * @param compression whether to negotiate {@code permessage-deflate} with clients that
 * offer it: off by default, as each such connection holds zlib buffers outside the heap,
 * and compressing secrets next to text an attacker chooses leaks them
 * @param inlineReads whether a connection's frames are read on Tomcat's poller while
 * nothing is being written to it, instead of on a new virtual thread per read
 * ({@link InlineReads})
 */
@ConfigurationProperties("chat.ws")
@Validated
public record WsProperties(@DefaultValue List<String> allowedOrigins, @DefaultValue("16384") @Positive int maxFrameSize,
		@DefaultValue("25s") @DurationMin(seconds = 1) Duration pingInterval,
		@DefaultValue("60s") @DurationMin(seconds = 1) Duration pongTimeout,
		@DefaultValue("1MB") DataSize sendBufferLimit,
		@DefaultValue("10s") @DurationMin(millis = 1) Duration sendTimeLimit,
		@DefaultValue("20000") @Positive int maxConnections, @DefaultValue("50") @Positive int maxConnectionsPerUser,
		@DefaultValue("1000") @PositiveOrZero int resumeLimit, @DefaultValue("10") @Positive double messageRate,
		@DefaultValue("30") @Positive int messageBurst, @DefaultValue("50") @Positive int floodLimit,
		@DefaultValue("false") boolean compression, @DefaultValue("true") boolean inlineReads) {
}
