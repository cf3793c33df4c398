package com.marketplace.chat.message;

import java.util.List;
import java.util.Optional;

import com.marketplace.chat.chat.ChatKind;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface ChatMessageRepository extends JpaRepository<ChatMessage, Long> {

	@Query("select m.seq from ChatMessage m where m.id = :id and m.chatKind = :kind and m.chatId = :chatId")
	Optional<Long> findSeq(long id, ChatKind kind, long chatId);

	List<ChatMessage> findByChatKindAndChatIdAndIdLessThanOrderByIdDesc(ChatKind kind, long chatId, long beforeId,
			Limit limit);

	List<ChatMessage> findByChatKindAndChatIdAndIdGreaterThanOrderByIdAsc(ChatKind kind, long chatId, long afterId,
			Limit limit);

	List<ChatMessage> findByChatKindAndChatIdAndIdGreaterThanOrderByIdDesc(ChatKind kind, long chatId, long afterId,
			Limit limit);

	List<ChatMessage> findByChatKindAndChatIdAndIdGreaterThanAndIdLessThanOrderByIdAsc(ChatKind kind, long chatId,
			long afterId, long beforeId, Limit limit);

	List<ChatMessage> findByChatKindAndChatIdAndSeqGreaterThanAndSeqLessThanEqualOrderBySeqAsc(ChatKind kind,
			long chatId, long fromSeqExclusive, long toSeqInclusive);

}
