package com.marketplace.chat.chats;

import java.util.List;
import java.util.Optional;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface ServiceChatRepository extends JpaRepository<ServiceChat, Long> {

	Optional<ServiceChat> findByClientIdAndMasterId(long clientId, long masterId);

	@Query("select c from ServiceChat c where c.clientId = :userId or c.masterId = :userId order by c.lastActivityAt desc, c.id desc")
	List<ServiceChat> findForParticipant(long userId, Limit limit);

}
