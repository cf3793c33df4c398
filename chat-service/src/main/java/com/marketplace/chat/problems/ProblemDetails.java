package com.marketplace.chat.problems;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one place RFC 9457 problem details are made, whether Spring MVC renders them (see
 * {@link ProblemHandler}) or a filter writes them before MVC is reached (the security
 * chain's 401 and 403, the body limit's 413, the REST rate limits' 429).
 */
public final class ProblemDetails {

	private ProblemDetails() {
	}

	/** The problem, with {@code code} when one is given. */
	public static ProblemDetail of(HttpStatus status, String detail, String code) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		if (code != null) {
			problem.setProperty("code", code);
		}
		return problem;
	}

	public static HttpStatus status(ChatProblem.Kind kind) {
		return switch (kind) {
			case INVALID -> HttpStatus.BAD_REQUEST;
			case DENIED -> HttpStatus.FORBIDDEN;
			case CONFLICT -> HttpStatus.CONFLICT;
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
		};
	}

	/**
	 * Writes the problem straight to the response, for answers given outside Spring MVC.
	 */
	public static void write(JsonMapper json, HttpServletResponse response, HttpStatus status, String detail)
			throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		json.writeValue(response.getOutputStream(), of(status, detail, null));
	}

}
