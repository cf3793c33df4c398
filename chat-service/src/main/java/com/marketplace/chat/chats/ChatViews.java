package com.marketplace.chat.chats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/** The JSON bodies of the chat endpoints ({@code snake_case} on the wire). */
final class ChatViews {

	/** The seed's timestamp shape: UTC, whole seconds, no zone suffix. */
	static final String TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss";

	private ChatViews() {
	}

	/**
	 * @param lastReadSeq how far the participant has read the chat (0: nothing yet)
	 */
	record Participant(long userId, String role, long lastReadSeq) {
	}

	/**
	 * How far each participant has read, and who is asking: the views carry the readers'
	 * positions and, for a participant asking, their own {@code unread_count}.
	 */
	record Reads(Map<Long, ChatReads.Read> positions, long viewer) {

		static final Reads NONE = new Reads(Map.of(), 0);

		long of(long userId) {
			ChatReads.Read position = this.positions.get(userId);
			return (position != null) ? position.seq() : 0;
		}

		/**
		 * The viewer's unread messages: the chat's messages not deleted less those the
		 * viewer has read.
		 */
		Long unread(long messageCount, long... participants) {
			for (long participant : participants) {
				if (participant == this.viewer) {
					ChatReads.Read position = this.positions.get(this.viewer);
					return Math.max(0, messageCount - ((position != null) ? position.count() : 0));
				}
			}
			return null;
		}

	}

	/**
	 * @param unreadCount messages after the viewer's read position, deleted ones not
	 * counted; only when the viewer takes part
	 */
	record ServiceChatView(long id, String kind, long clientId, long masterId, long lastSeq,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, List<Participant> participants,
			Long unreadCount) {

		static ServiceChatView of(ServiceChat chat, Reads reads) {
			return new ServiceChatView(chat.getId(), ChatKind.SERVICE.key(), chat.getClientId(), chat.getMasterId(),
					chat.lastSeq(), chat.getCreatedAt(),
					List.of(new Participant(chat.getClientId(), "client", reads.of(chat.getClientId())),
							new Participant(chat.getMasterId(), "master", reads.of(chat.getMasterId()))),
					reads.unread(chat.messageCount(), chat.getClientId(), chat.getMasterId()));
		}

	}

	/**
	 * @param unreadCount messages after the viewer's read position, deleted ones not
	 * counted; only when the viewer takes part
	 */
	record SupportChatView(long id, String kind, long clientId, Long supportId, String status, long lastSeq,
			@JsonFormat(pattern = TIMESTAMP, timezone = "UTC") Instant createdAt, List<Participant> participants,
			Long unreadCount) {

		static SupportChatView of(SupportChat chat, Reads reads) {
			List<Participant> participants = new ArrayList<>();
			participants.add(new Participant(chat.getClientId(), "client", reads.of(chat.getClientId())));
			if (chat.getSupportId() != null) {
				participants.add(new Participant(chat.getSupportId(), "support", reads.of(chat.getSupportId())));
			}
			Long unread = (chat.getSupportId() != null)
					? reads.unread(chat.messageCount(), chat.getClientId(), chat.getSupportId())
					: reads.unread(chat.messageCount(), chat.getClientId());
			return new SupportChatView(chat.getId(), ChatKind.SUPPORT.key(), chat.getClientId(), chat.getSupportId(),
					chat.getStatus().name(), chat.lastSeq(), chat.getCreatedAt(), List.copyOf(participants), unread);
		}

	}

	record MarkRead(@NotNull @PositiveOrZero Long seq) {
	}

	record ReadView(long userId, long seq) {
	}

	record CreateServiceChat(@NotNull @Positive Long clientId, @NotNull @Positive Long masterId) {
	}

	record CreateSupportChat(@Positive Long clientId) {
	}

	record AssignSupport(@Positive Long supportId) {
	}

}
