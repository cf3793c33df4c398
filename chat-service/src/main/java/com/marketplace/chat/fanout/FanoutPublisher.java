package com.marketplace.chat.fanout;

import com.marketplace.chat.message.MessageStored;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Publishes every committed message (and every retry of one) to the cluster. */
@Component
class FanoutPublisher {

	private final Fanout fanout;

	FanoutPublisher(Fanout fanout) {
		this.fanout = fanout;
	}

	@EventListener
	void on(MessageStored event) {
		this.fanout.publishToCluster(event.message(), event.origin());
	}

}
