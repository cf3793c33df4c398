package com.marketplace.chat.fanout;

import java.util.List;

import com.marketplace.chat.chats.ParticipantRemoved;
import com.marketplace.chat.chats.ReadMoved;
import com.marketplace.chat.message.MessagesCommitted;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Publishes every committed message (and every retry of one), and every removed
 * participant, to the cluster.
 */
@Component
class FanoutPublisher {

	private final Fanout fanout;

	private final Signals signals;

	FanoutPublisher(Fanout fanout, Signals signals) {
		this.fanout = fanout;
		this.signals = signals;
	}

	/** All the messages of one commit, in one write to the bus. */
	@EventListener
	void on(MessagesCommitted event) {
		this.fanout.publishToCluster(event.messages()
			.stream()
			.map((stored) -> new Notice.Addressed(stored.message().chat(),
					new Notice.Message(stored.message(), stored.participants())))
			.toList());
	}

	/** After the commit, so that a reader of the chat's views already sees it. */
	@TransactionalEventListener
	void on(ReadMoved event) {
		this.signals.read(event.chat(), event.userId(), event.seq());
	}

	/** After the commit: a replica told earlier could still read the old participants. */
	@TransactionalEventListener
	void on(ParticipantRemoved event) {
		this.fanout.publishToCluster(List.of(new Notice.Addressed(event.chat(), new Notice.Removal(event.userId()))));
	}

}
