package com.marketplace.chat.chats;

/** A chat's message counter and participants, read together. */
public record ChatState(long lastSeq, Participants participants) {
}
