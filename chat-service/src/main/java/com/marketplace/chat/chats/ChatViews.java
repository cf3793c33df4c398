package com.marketplace.chat.chats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** The JSON bodies of the chat endpoints ({@code snake_case} on the wire). */
final class ChatViews {

	/** The seed's timestamp shape: UTC, whole seconds, no zone suffix. */
	static final String TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss";

	private ChatViews() {
	}

	record Participant(long userId, String role) {
	}

	record ServiceChatView(long id, String kind, long clientId, long masterId, long lastSeq,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, List<Participant> participants) {

		static ServiceChatView of(ServiceChat chat) {
			return new ServiceChatView(chat.getId(), ChatKind.SERVICE.key(), chat.getClientId(), chat.getMasterId(),
					chat.lastSeq(), chat.getCreatedAt(), List.of(new Participant(chat.getClientId(), "client"),
							new Participant(chat.getMasterId(), "master")));
		}

	}

	record SupportChatView(long id, String kind, long clientId, Long supportId, String status, long lastSeq,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, List<Participant> participants) {

		static SupportChatView of(SupportChat chat) {
			List<Participant> participants = new ArrayList<>();
			participants.add(new Participant(chat.getClientId(), "client"));
			if (chat.getSupportId() != null) {
				participants.add(new Participant(chat.getSupportId(), "support"));
			}
			return new SupportChatView(chat.getId(), ChatKind.SUPPORT.key(), chat.getClientId(), chat.getSupportId(),
					chat.getStatus().name(), chat.lastSeq(), chat.getCreatedAt(), List.copyOf(participants));
		}

	}

	record CreateServiceChat(@NotNull @Positive Long clientId,
			@NotNull @Positive Long masterId) {
	}

	record CreateSupportChat(@Positive Long clientId) {
	}

	record AssignSupport(@Positive Long supportId) {
	}

}
