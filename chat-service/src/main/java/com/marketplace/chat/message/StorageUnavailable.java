package com.marketplace.chat.message;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A REST call the database could not serve answers 503 with {@code Retry-After}, as a
 * WebSocket send gets {@code unavailable}: nothing was stored, and a retry with the same
 * {@code client_message_id} is safe.
 */
@RestControllerAdvice
class StorageUnavailable {

	private static final Logger log = LoggerFactory.getLogger(StorageUnavailable.class);

	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex) {
		log.warn("A REST call failed on the database: {}", ex.toString());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The database is not available right now; nothing was stored. Try again.");
		problem.setProperty("code", "unavailable");
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(problem);
	}

}
