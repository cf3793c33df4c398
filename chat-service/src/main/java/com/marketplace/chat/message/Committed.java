package com.marketplace.chat.message;

import com.marketplace.chat.chats.Participants;

/**
 * What sending a message came to, once its transaction committed.
 *
 * @param message the stored message: the original one when this was a retry
 * @param duplicate whether the message had been stored before under the same client
 * message id
 * @param participants who took part in the chat when it was stored (under the chat's
 * lock): only they may receive it
 */
public record Committed(ChatMessage message, boolean duplicate, Participants participants) {
}
