package com.marketplace.chat.fanout;

import com.marketplace.chat.chat.ParticipantRemoved;
import com.marketplace.chat.message.MessageStored;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/** Publishes every committed message (and every retry of one), and every removed participant, to the cluster. */
@Component
class FanoutPublisher {

	private final Fanout fanout;

	FanoutPublisher(Fanout fanout) {
		this.fanout = fanout;
	}

	@EventListener
	void on(MessageStored event) {
		this.fanout.publishToCluster(event.message().chat(),
				new Notice.Message(event.message(), event.origin(), event.participants()));
	}

	/** After the commit: a replica told earlier could still read the old participants. */
	@TransactionalEventListener
	void on(ParticipantRemoved event) {
		this.fanout.publishToCluster(event.chat(), new Notice.Removal(event.userId()));
	}

}
