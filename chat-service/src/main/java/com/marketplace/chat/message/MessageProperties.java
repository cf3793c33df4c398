package com.marketplace.chat.message;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxContentLength longest accepted content, in characters (Unicode code points);
 * the column holds up to 8000
 * @param writers threads that store messages with grouped commits, each owning the chats
 * that hash to it; one makes the largest groups (on 2 cores it carried twice the rate of
 * two); 0 stores each message in a transaction of its own on the sender's thread
 * @param groupSize most messages one grouped commit takes: a writer commits at most this
 * many per commit's round trips, so groups grow with the load up to it; a full group of
 * the longest messages must fit the database's {@code max_allowed_packet} (checked at
 * start: 400 take about 6.6 MB of MariaDB's default 16 MiB)
 * @param groupLinger how long a writer that finds one send waits for more before it
 * commits, counted from that send's arrival; 0 commits whatever is queued at once
 * @param commitTimeout longest a message waits in the writers' queue, and longest its
 * transaction may take; a sender always has its answer (stored, or {@code unavailable})
 * within twice this
 * @param editWindow how long after sending it its sender may edit or delete a message
 */
@ConfigurationProperties("chat.message")
@Validated
public record MessageProperties(@DefaultValue("4000") @Min(1) @Max(8000) int maxContentLength,
		@DefaultValue("1") @PositiveOrZero int writers, @DefaultValue("400") @Positive int groupSize,
		@DefaultValue("2ms") @DurationMax(seconds = 1) Duration groupLinger,
		@DefaultValue("5s") @DurationMin(millis = 1) Duration commitTimeout,
		@DefaultValue("15m") @DurationMin(seconds = 1) Duration editWindow) {

	/** Longest accepted {@code client_message_id}, in characters. */
	public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = 64;

}
