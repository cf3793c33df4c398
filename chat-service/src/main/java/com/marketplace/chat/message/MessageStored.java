package com.marketplace.chat.message;

import com.marketplace.chat.chat.Participants;

/**
 * Published (as a Spring application event) after a message's transaction committed,
 * and again when a retry of an already stored message arrives, so a replica that died
 * between commit and publish cannot leave the message undelivered.
 *
 * @param message the committed message
 * @param origin the id of the WebSocket connection that sent it, which gets an ack
 * instead of the message; {@code null} when it came through REST
 * @param participants who took part in the chat when the message was stored: only they
 * receive it
 */
public record MessageStored(StoredMessage message, String origin, Participants participants) {
}
