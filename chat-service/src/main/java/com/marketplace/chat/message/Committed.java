package com.marketplace.chat.message;

import com.marketplace.chat.chats.Participants;

/**
 * What sending a message, or an edit or delete of one, came to once its transaction
 * committed.
 *
 * @param message the stored row: the original message when this was a retry; the edit or
 * delete event (with its own id and {@code seq}) when this was one
 * @param duplicate whether the message had been stored before under the same client
 * message id
 * @param participants who took part in the chat when it was stored (under the chat's
 * lock): only they may receive it
 * @param changed for an edit or delete, the message as it left it; null otherwise
 */
public record Committed(ChatMessage message, boolean duplicate, Participants participants, ChatMessage changed) {
}
