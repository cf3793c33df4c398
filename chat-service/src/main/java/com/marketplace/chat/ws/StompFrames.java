package com.marketplace.chat.ws;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.util.MimeTypeUtils;

/**
 * The frames the server sends over STOMP, written with Spring's STOMP codec (which
 * escapes header values and counts {@code content-length} in bytes), as text.
 */
final class StompFrames {

	private final StompEncoder encoder = new StompEncoder();

	private final AtomicLong signalIds = new AtomicLong();

	String connected(long userId, long heartbeatMillis) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.CONNECTED);
		headers.setVersion("1.2");
		headers.setHeartbeat(heartbeatMillis, heartbeatMillis);
		headers.setNativeHeader("server", "chat-service");
		headers.setNativeHeader("user-name", Long.toString(userId));
		return encode(headers, null);
	}

	/**
	 * What a subscription is given for one message: the message's JSON, as raw clients
	 * get it, with its {@code seq} as a header too.
	 */
	String message(String subscription, String destination, Feed.Outgoing message) {
		StompHeaderAccessor headers = messageHeaders(subscription, destination,
				destination.substring(StompDestinations.TOPIC.length()) + "." + message.seq());
		headers.setNativeHeader("seq", Long.toString(message.seq()));
		return encode(headers, message.frame().get());
	}

	/**
	 * A typing, read or presence signal: a MESSAGE without {@code seq}, its body's
	 * {@code type} says which.
	 */
	String signal(String subscription, String destination, String json) {
		return encode(messageHeaders(subscription, destination, destination.substring(StompDestinations.TOPIC.length())
				+ ".signal." + this.signalIds.incrementAndGet()), json);
	}

	private static StompHeaderAccessor messageHeaders(String subscription, String destination, String messageId) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.MESSAGE);
		headers.setSubscriptionId(subscription);
		headers.setDestination(destination);
		headers.setMessageId(messageId);
		headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
		return headers;
	}

	String receipt(String receipt, Map<String, String> extra) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.RECEIPT);
		headers.setReceiptId(receipt);
		extra.forEach(headers::setNativeHeader);
		return encode(headers, null);
	}

	/**
	 * A refusal: its code in the {@code message} header, the text as the body, the
	 * {@code receipt-id} and {@code client-message-id} of what was refused when known.
	 */
	String error(String receipt, String code, String clientMessageId, String text) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.ERROR);
		headers.setMessage(code);
		if (receipt != null) {
			headers.setReceiptId(receipt);
		}
		if (clientMessageId != null) {
			headers.setNativeHeader("client-message-id", clientMessageId);
		}
		headers.setContentType(MimeTypeUtils.TEXT_PLAIN);
		return encode(headers, text);
	}

	private String encode(StompHeaderAccessor headers, String body) {
		byte[] bytes = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
		return new String(this.encoder.encode(headers.getMessageHeaders(), bytes), StandardCharsets.UTF_8);
	}

}
