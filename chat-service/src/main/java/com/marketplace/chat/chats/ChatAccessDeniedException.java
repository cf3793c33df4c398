package com.marketplace.chat.chats;

import com.marketplace.chat.problems.ChatProblem;

/**
 * The chat does not exist or the user may not use it. One exception, and one answer (403,
 * code {@code forbidden}), for both cases, so that chat ids cannot be probed.
 */
public class ChatAccessDeniedException extends ChatProblem {

	public ChatAccessDeniedException(ChatKey key) {
		super(Kind.DENIED, "forbidden",
				"Chat " + key.kind().key() + "/" + key.id() + " does not exist or you are not a participant.");
	}

}
