package com.marketplace.chat.message;

import java.util.List;

/**
 * Published (as a Spring application event) on the writer's thread right after a commit,
 * with every message of it, retries of already stored ones included (so a replica that
 * died between commit and publish cannot leave a message undelivered once its sender
 * retries). The senders have been told first: a sending connection knows what it sent
 * before any replica can deliver it.
 */
public record MessagesCommitted(List<Committed> messages) {
}
