package com.marketplace.chat.chats;

import com.marketplace.chat.chats.ChatViews.MarkRead;
import com.marketplace.chat.chats.ChatViews.ReadView;
import com.marketplace.chat.security.ChatUser;
import jakarta.validation.Valid;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Read receipts over REST: {@code POST /api/{kind}-chats/{id}/read {"seq": N}} moves the
 * caller's read position (never back, never past {@code last_seq}) and answers where it
 * stands; {@code GET /api/unread} is the caller's unread total over all their chats.
 */
@RestController
class ReadController {

	private final ChatReads reads;

	ReadController(ChatReads reads) {
		this.reads = reads;
	}

	@PostMapping("/api/{kind:service|support}-chats/{id}/read")
	ReadView read(@AuthenticationPrincipal ChatUser user, @PathVariable String kind, @PathVariable long id,
			@Valid @RequestBody MarkRead body) {
		ChatKey chat = new ChatKey(ChatKind.fromKey(kind).orElseThrow(), id);
		return new ReadView(user.id(), this.reads.markRead(user, chat, body.seq()).seq());
	}

	@GetMapping("/api/unread")
	Unread unread(@AuthenticationPrincipal ChatUser user) {
		return new Unread(this.reads.unreadTotal(user.id()));
	}

	record Unread(long unreadCount) {
	}

}
