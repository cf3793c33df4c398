package com.marketplace.chat.chats;

import java.util.List;
import java.util.Optional;

import jakarta.persistence.LockModeType;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface SupportChatRepository extends JpaRepository<SupportChat, Long> {

	@Lock(LockModeType.PESSIMISTIC_WRITE)
	@Query("select c from SupportChat c where c.id = :id")
	Optional<SupportChat> findForUpdate(long id);

	List<SupportChat> findByClientIdOrderByLastActivityAtDescIdDesc(long clientId, Limit limit);

	List<SupportChat> findBySupportIdOrderByLastActivityAtDescIdDesc(long supportId, Limit limit);

	List<SupportChat> findByStatusOrderByCreatedAtAscIdAsc(SupportChat.Status status, Limit limit);

	List<SupportChat> findAllByOrderByLastActivityAtDescIdDesc(Limit limit);

}
