package com.marketplace.chat.message;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.marketplace.chat.chats.ChatAccess;
import com.marketplace.chat.chats.ChatAccessDeniedException;
import com.marketplace.chat.chats.ChatKey;
import com.marketplace.chat.chats.ChatKind;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.ChatUser;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * History, sending, editing and deleting over REST, for both chat kinds. Each takes the
 * same path as its WebSocket frame, so connected clients receive it; a retry with the
 * same {@code client_message_id} answers 200 with the stored message instead of 201.
 */
@RestController
class MessageController {

	private static final int DEFAULT_PAGE = 50;

	private static final int MAX_PAGE = 200;

	private final ChatAccess access;

	private final Messages messages;

	private final MessageHistory history;

	MessageController(ChatAccess access, Messages messages, MessageHistory history) {
		this.access = access;
		this.messages = messages;
		this.history = history;
	}

	@GetMapping("/api/{kind:service|support}-chats/{id}/messages")
	List<MessageView> history(@AuthenticationPrincipal ChatUser user, @PathVariable String kind, @PathVariable long id,
			@RequestParam(name = "before_id", required = false) Long beforeId,
			@RequestParam(name = "after_id", required = false) Long afterId,
			@RequestParam(defaultValue = "" + DEFAULT_PAGE) int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			throw ChatProblem.invalid("invalid_request", "limit must be between 1 and " + MAX_PAGE + ".");
		}
		if ((beforeId != null && beforeId < 1) || (afterId != null && afterId < 0)) {
			throw ChatProblem.invalid("invalid_request",
					"before_id must be positive and after_id must not be negative.");
		}
		ChatKey chat = chat(kind, id);
		if (!this.access.mayRead(user, chat)) {
			throw new ChatAccessDeniedException(chat);
		}
		return this.history.page(chat, beforeId, afterId, limit).stream().map(MessageView::of).toList();
	}

	@PostMapping("/api/{kind:service|support}-chats/{id}/messages")
	ResponseEntity<MessageView> send(@AuthenticationPrincipal ChatUser user, @PathVariable String kind,
			@PathVariable long id, @RequestBody SendMessage body) {
		ChatKey chat = participantChat(user, kind, id);
		Committed sent = this.messages.send(chat, user.id(), body.content(), body.clientMessageId());
		return ResponseEntity.status(sent.duplicate() ? HttpStatus.OK : HttpStatus.CREATED)
			.body(MessageView.of(sent.message()));
	}

	/**
	 * Replaces the text of one's own message within the edit window: the same path as a
	 * WebSocket {@code edit} frame, so connected clients receive {@code edited}.
	 */
	@PatchMapping("/api/{kind:service|support}-chats/{id}/messages/{messageId}")
	MessageView edit(@AuthenticationPrincipal ChatUser user, @PathVariable String kind, @PathVariable long id,
			@PathVariable long messageId, @RequestBody EditMessage body) {
		ChatKey chat = participantChat(user, kind, id);
		return MessageView.of(this.messages.edit(chat, user.id(), messageId, body.content()).changed());
	}

	/**
	 * Deletes one's own message within the edit window: its text is gone, history shows
	 * it as {@code deleted}, connected clients receive {@code deleted}.
	 */
	@DeleteMapping("/api/{kind:service|support}-chats/{id}/messages/{messageId}")
	MessageView delete(@AuthenticationPrincipal ChatUser user, @PathVariable String kind, @PathVariable long id,
			@PathVariable long messageId) {
		ChatKey chat = participantChat(user, kind, id);
		return MessageView.of(this.messages.delete(chat, user.id(), messageId).changed());
	}

	private ChatKey participantChat(ChatUser user, String kind, long id) {
		ChatKey chat = chat(kind, id);
		if (!this.access.isParticipant(user, chat)) {
			throw new ChatAccessDeniedException(chat);
		}
		return chat;
	}

	private static ChatKey chat(String kind, long id) {
		return new ChatKey(ChatKind.fromKey(kind).orElseThrow(), id);
	}

	record SendMessage(String content, String clientMessageId) {
	}

	record EditMessage(String content) {
	}

	/**
	 * @param editedAt when the text was last edited; null when never
	 * @param deleted whether the message was deleted (its content is then empty)
	 */
	record MessageView(long id, String content, long senderId, long chatId,
			@JsonFormat(pattern = "yyyy-MM-dd'T'HH:mm:ss", timezone = "UTC") Instant createdAt, long seq,
			String clientMessageId, @JsonFormat(pattern = "yyyy-MM-dd'T'HH:mm:ss", timezone = "UTC") Instant editedAt,
			boolean deleted) {

		static MessageView of(ChatMessage message) {
			return new MessageView(message.id(), message.content(), message.senderId(), message.chat().id(),
					message.createdAt(), message.seq(), message.clientMessageId(), message.editedAt(),
					message.deleted());
		}

	}

}
