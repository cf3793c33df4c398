package com.marketplace.chat.chats;

/**
 * Published (as a Spring application event) once a transaction that took a user out of a
 * chat has committed, today when an admin reassigns a support chat to another agent:
 * every replica closes that user's connections of the chat.
 */
public record ParticipantRemoved(ChatKey chat, long userId) {
}
