package com.marketplace.chat.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.chats.Participants;
import com.marketplace.chat.security.ChatUser;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/{kind}-chats/{id}/presence}: which of the chat's participants are
 * connected now.
 */
@RestController
class PresenceController {

	private final ChatAccess access;

	private final Presence presence;

	PresenceController(ChatAccess access, Presence presence) {
		this.access = access;
		this.presence = presence;
	}

	@GetMapping("/api/{kind:service|support}-chats/{id}/presence")
	List<Online> presence(@AuthenticationPrincipal ChatUser user, @PathVariable String kind, @PathVariable long id) {
		ChatKey chat = new ChatKey(ChatKind.fromKey(kind).orElseThrow(), id);
		if (!this.access.mayRead(user, chat)) {
			throw new ChatAccessDeniedException(chat);
		}
		Participants participants = this.access.participants(chat)
			.orElseThrow(() -> new ChatAccessDeniedException(chat));
		Set<Long> online = this.presence.online(chat);
		List<Online> answer = new ArrayList<>();
		answer.add(new Online(participants.clientId(), online.contains(participants.clientId())));
		if (participants.otherId() != null) {
			answer.add(new Online(participants.otherId(), online.contains(participants.otherId())));
		}
		return answer;
	}

	record Online(long userId, boolean online) {
	}

}
