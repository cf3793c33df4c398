package com.marketplace.chat.chats;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.chats.ChatViews.CreateServiceChat;
import com.marketplace.chat.chats.ChatViews.ServiceChatView;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.ChatUser;
import jakarta.validation.Valid;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Service chats: one per client and master pair. Creating is allowed to either party or
 * an admin; creating a pair that already has a chat answers 200 with that chat, so a
 * repeated request never makes a second conversation.
 */
@RestController
@RequestMapping("/api/service-chats")
class ServiceChatController {

	private final ServiceChatRepository chats;

	private final ChatReads reads;

	ServiceChatController(ServiceChatRepository chats, ChatReads reads) {
		this.chats = chats;
		this.reads = reads;
	}

	private ServiceChatView view(ServiceChat chat, ChatUser viewer) {
		return views(List.of(chat), viewer).get(0);
	}

	private List<ServiceChatView> views(List<ServiceChat> found, ChatUser viewer) {
		Map<Long, Map<Long, ChatReads.Read>> positions = this.reads.positions(ChatKind.SERVICE,
				found.stream().map(ServiceChat::getId).toList());
		return found.stream()
			.map((chat) -> ServiceChatView.of(chat,
					new ChatViews.Reads(positions.getOrDefault(chat.getId(), Map.of()), viewer.id())))
			.toList();
	}

	@PostMapping
	ResponseEntity<ServiceChatView> create(@AuthenticationPrincipal ChatUser user,
			@Valid @RequestBody CreateServiceChat body) {
		long clientId = body.clientId();
		long masterId = body.masterId();
		if (clientId == masterId) {
			throw ChatProblem.invalid("invalid_request", "client_id and master_id must be different users.");
		}
		if (!user.isAdmin() && user.id() != clientId && user.id() != masterId) {
			throw ChatProblem.denied("Only the client, the master or an admin may create this chat.");
		}
		var existing = this.chats.findByClientIdAndMasterId(clientId, masterId);
		if (existing.isPresent()) {
			return ResponseEntity.ok(view(existing.get(), user));
		}
		ServiceChat chat;
		try {
			chat = this.chats
				.saveAndFlush(new ServiceChat(clientId, masterId, Instant.now().truncatedTo(ChronoUnit.MICROS)));
		}
		catch (DataIntegrityViolationException raced) {
			return ResponseEntity
				.ok(view(this.chats.findByClientIdAndMasterId(clientId, masterId).orElseThrow(), user));
		}
		return ResponseEntity.created(URI.create("/api/service-chats/" + chat.getId())).body(view(chat, user));
	}

	@GetMapping
	List<ServiceChatView> mine(@AuthenticationPrincipal ChatUser user, @RequestParam(defaultValue = "50") int limit) {
		return views(this.chats.findForParticipant(user.id(), Limit.of(Paging.validLimit(limit))), user);
	}

	@GetMapping("/{id}")
	ServiceChatView one(@AuthenticationPrincipal ChatUser user, @PathVariable long id) {
		return this.chats.findById(id)
			.filter((chat) -> chat.mayBeReadBy(user))
			.map((chat) -> view(chat, user))
			.orElseThrow(() -> new ChatAccessDeniedException(new ChatKey(ChatKind.SERVICE, id)));
	}

}
