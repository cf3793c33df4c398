package com.marketplace.chat.message;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param maxContentLength longest accepted content, in characters (Unicode code points);
 * the column holds up to 8000
 * @param writers threads that store messages with grouped commits, each owning the chats
 * that hash to it; one makes the largest groups (on 2 cores it carried twice the rate of
 * two); 0 stores each message
 * in a transaction of its own on the sender's thread
 * @param groupSize most messages one grouped commit takes
 * @param commitTimeout longest a message waits in the writers' queue, and longest its
 * transaction may take; a sender always has its answer (stored, or {@code unavailable})
 * within twice this
 */
@ConfigurationProperties("chat.message")
public record MessageProperties(@DefaultValue("4000") int maxContentLength, @DefaultValue("1") int writers,
		@DefaultValue("100") int groupSize, @DefaultValue("5s") Duration commitTimeout) {

	/** Longest accepted {@code client_message_id}, in characters. */
	public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = 64;

	public MessageProperties {
		if (maxContentLength < 1 || maxContentLength > 8000) {
			throw new IllegalArgumentException("chat.message.max-content-length must be between 1 and 8000");
		}
		if (writers < 0 || groupSize < 1) {
			throw new IllegalArgumentException("chat.message.writers must be >= 0 and chat.message.group-size >= 1");
		}
	}

}
