package com.marketplace.chat.fanout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.marketplace.chat.chats.ChatKey;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Standalone mode's fan-out: one process, so the "cluster" is this replica alone. */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "in-process", matchIfMissing = true)
class InProcessFanout implements Fanout {

	private final Map<ChatKey, List<Consumer<Notice>>> receivers = new ConcurrentHashMap<>();

	@Override
	public void publishToCluster(List<Notice.Addressed> notices) {
		for (Notice.Addressed addressed : notices) {
			this.receivers.getOrDefault(addressed.chat(), List.of())
				.forEach((receiver) -> receiver.accept(addressed.notice()));
		}
	}

	@Override
	public CompletableFuture<Listening> listen(ChatKey chat, Consumer<Notice> receiver) {
		this.receivers.computeIfAbsent(chat, (key) -> new CopyOnWriteArrayList<>()).add(receiver);
		return CompletableFuture.completedFuture(() -> this.receivers.computeIfPresent(chat, (key, list) -> {
			list.remove(receiver);
			return list.isEmpty() ? null : list;
		}));
	}

}
