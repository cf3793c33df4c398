package com.marketplace.chat.chats;

/**
 * Published (as a Spring application event) when a participant's read position moved
 * forward: every replica tells the chat's connections. {@code seq} is the position as
 * stored, which concurrent reads from two devices can only have moved further.
 */
public record ReadMoved(ChatKey chat, long userId, long seq) {
}
