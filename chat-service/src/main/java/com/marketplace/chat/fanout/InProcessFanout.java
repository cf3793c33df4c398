package com.marketplace.chat.fanout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import com.marketplace.chat.chat.ChatKey;
import com.marketplace.chat.message.StoredMessage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** Standalone mode's fan-out: one process, so the "cluster" is this replica alone. */
@Component
@ConditionalOnProperty(name = "chat.fanout.backend", havingValue = "in-process", matchIfMissing = true)
class InProcessFanout implements Fanout {

	private final Map<ChatKey, List<BiConsumer<StoredMessage, String>>> receivers = new ConcurrentHashMap<>();

	@Override
	public void publishToCluster(StoredMessage message, String origin) {
		this.receivers.getOrDefault(message.chat(), List.of()).forEach((receiver) -> receiver.accept(message, origin));
	}

	@Override
	public Listening listen(ChatKey chat, BiConsumer<StoredMessage, String> receiver) {
		this.receivers.computeIfAbsent(chat, (key) -> new CopyOnWriteArrayList<>()).add(receiver);
		return () -> this.receivers.computeIfPresent(chat, (key, list) -> {
			list.remove(receiver);
			return list.isEmpty() ? null : list;
		});
	}

}
