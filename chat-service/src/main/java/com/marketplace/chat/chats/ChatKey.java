package com.marketplace.chat.chats;

/** One chat, cluster-wide: its kind and its id within that kind. */
public record ChatKey(ChatKind kind, long id) {

	/** The Redis pub/sub channel of this chat: {@code chat:service:42}. */
	public String channel() {
		return "chat:" + this.kind.key() + ":" + this.id;
	}

	@Override
	public String toString() {
		return channel();
	}

}
