package com.marketplace.chat.problems;

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
 * Turns what the controllers and the domain throw into problem details: a
 * {@link ChatProblem} by its kind, with its code; a database that could not serve the
 * call into 503 with {@code Retry-After}, as a WebSocket send gets {@code unavailable}
 * (nothing was stored, and a retry with the same {@code client_message_id} is safe).
 */
@RestControllerAdvice
class ProblemHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

	@ExceptionHandler(ChatProblem.class)
	ResponseEntity<ProblemDetail> refused(ChatProblem problem) {
		HttpStatus status = ProblemDetails.status(problem.kind());
		return ResponseEntity.status(status).body(ProblemDetails.of(status, problem.getMessage(), problem.code()));
	}

	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex) {
		log.warn("A REST call failed on the database: {}", ex.toString());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, "1")
			.body(ProblemDetails.of(HttpStatus.SERVICE_UNAVAILABLE,
					"The database is not available right now; nothing was stored. Try again.", "unavailable"));
	}

}
