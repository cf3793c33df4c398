package com.marketplace.chat.message;

/**
 * Published (as a Spring application event) after a message's transaction committed,
 * and again when a retry of an already stored message arrives, so a replica that died
 * between commit and publish cannot leave the message undelivered.
 *
 * @param message the committed message
 * @param origin the id of the WebSocket connection that sent it, which gets an ack
 * instead of the message; {@code null} when it came through REST
 */
public record MessageStored(StoredMessage message, String origin) {
}
