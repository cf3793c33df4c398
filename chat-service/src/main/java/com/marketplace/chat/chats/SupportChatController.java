package com.marketplace.chat.chats;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.marketplace.chat.chats.ChatViews.AssignSupport;
import com.marketplace.chat.chats.ChatViews.CreateSupportChat;
import com.marketplace.chat.chats.ChatViews.SupportChatView;
import com.marketplace.chat.problems.ChatProblem;
import com.marketplace.chat.security.ChatUser;
import jakarta.validation.Valid;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.domain.Limit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Support chats. A client opens one (an admin may open one for a client); it waits in the
 * queue ({@code status=unassigned}) until a support agent takes it or an admin assigns
 * it. Agents see the chats assigned to them, and the queue.
 */
@RestController
@RequestMapping("/api/support-chats")
class SupportChatController {

	private final SupportChatRepository chats;

	private final ApplicationEventPublisher events;

	private final ChatReads reads;

	SupportChatController(SupportChatRepository chats, ApplicationEventPublisher events, ChatReads reads) {
		this.chats = chats;
		this.events = events;
		this.reads = reads;
	}

	private SupportChatView view(SupportChat chat, ChatUser viewer) {
		return views(List.of(chat), viewer).get(0);
	}

	private List<SupportChatView> views(List<SupportChat> found, ChatUser viewer) {
		Map<Long, Map<Long, ChatReads.Read>> positions = this.reads.positions(ChatKind.SUPPORT,
				found.stream().map(SupportChat::getId).toList());
		return found.stream()
			.map((chat) -> SupportChatView.of(chat,
					new ChatViews.Reads(positions.getOrDefault(chat.getId(), Map.of()), viewer.id())))
			.toList();
	}

	@PostMapping
	ResponseEntity<SupportChatView> create(@AuthenticationPrincipal ChatUser user,
			@Valid @RequestBody(required = false) CreateSupportChat body) {
		Long requested = (body != null) ? body.clientId() : null;
		long clientId = (requested != null) ? requested : user.id();
		if (clientId != user.id() && !user.isAdmin()) {
			throw ChatProblem.denied("Only an admin may open a support chat for another client.");
		}
		SupportChat chat = this.chats
			.saveAndFlush(new SupportChat(clientId, Instant.now().truncatedTo(ChronoUnit.MICROS)));
		return ResponseEntity.created(URI.create("/api/support-chats/" + chat.getId())).body(view(chat, user));
	}

	@GetMapping
	List<SupportChatView> list(@AuthenticationPrincipal ChatUser user, @RequestParam(required = false) String status,
			@RequestParam(defaultValue = "50") int limit) {
		Limit page = Limit.of(Paging.validLimit(limit));
		List<SupportChat> found;
		if (status != null) {
			if (!SupportChat.Status.unassigned.name().equals(status)) {
				throw ChatProblem.invalid("invalid_request", "status supports only 'unassigned' (the queue).");
			}
			if (!user.isSupport() && !user.isAdmin()) {
				throw ChatProblem.denied("Only support agents and admins see the queue.");
			}
			found = this.chats.findByStatusOrderByCreatedAtAscIdAsc(SupportChat.Status.unassigned, page);
		}
		else if (user.isAdmin()) {
			found = this.chats.findAllByOrderByLastActivityAtDescIdDesc(page);
		}
		else if (user.isSupport()) {
			found = this.chats.findBySupportIdOrderByLastActivityAtDescIdDesc(user.id(), page);
		}
		else {
			found = this.chats.findByClientIdOrderByLastActivityAtDescIdDesc(user.id(), page);
		}
		return views(found, user);
	}

	@GetMapping("/{id}")
	SupportChatView one(@AuthenticationPrincipal ChatUser user, @PathVariable long id) {
		return this.chats.findById(id)
			.filter((chat) -> chat.mayBeReadBy(user))
			.map((chat) -> view(chat, user))
			.orElseThrow(() -> new ChatAccessDeniedException(new ChatKey(ChatKind.SUPPORT, id)));
	}

	/**
	 * A support agent takes an unassigned chat (taking one's own chat again is a no-op);
	 * an admin assigns or reassigns it to {@code support_id}. Runs under the chat's row
	 * lock so two agents cannot both take the same chat. The agent a reassignment
	 * replaces stops being a participant: once this commits, their connections of the
	 * chat close.
	 */
	@PostMapping("/{id}/assignee")
	@Transactional
	SupportChatView assign(@AuthenticationPrincipal ChatUser user, @PathVariable long id,
			@Valid @RequestBody(required = false) AssignSupport body) {
		ChatKey key = new ChatKey(ChatKind.SUPPORT, id);
		Long requested = (body != null) ? body.supportId() : null;
		if (!user.isAdmin() && !user.isSupport()) {
			throw new ChatAccessDeniedException(key);
		}
		SupportChat chat = this.chats.findForUpdate(id).orElseThrow(() -> new ChatAccessDeniedException(key));
		long assignee;
		if (user.isAdmin() && requested != null) {
			assignee = requested;
		}
		else if (requested != null && requested != user.id()) {
			throw ChatProblem.denied("Only an admin may assign a chat to another agent.");
		}
		else if (!user.isSupport()) {
			throw ChatProblem.invalid("invalid_request", "support_id is required when an admin assigns a chat.");
		}
		else {
			assignee = user.id();
			if (chat.getSupportId() != null && chat.getSupportId() != assignee) {
				throw ChatProblem.conflict("already_assigned", "The chat is already assigned to another agent.");
			}
		}
		if (assignee == chat.getClientId()) {
			throw ChatProblem.invalid("invalid_request", "The chat's client cannot be its support agent.");
		}
		Long previous = chat.getSupportId();
		chat.assignTo(assignee, Instant.now().truncatedTo(ChronoUnit.MICROS));
		if (previous != null && previous != assignee) {
			this.events.publishEvent(new ParticipantRemoved(key, previous));
		}
		return view(chat, user);
	}

}
