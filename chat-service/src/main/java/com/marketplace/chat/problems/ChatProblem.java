package com.marketplace.chat.problems;

/**
 * A request the service refuses, said in its own words: a {@link Kind} that REST turns
 * into a status and a stable {@link #code()} that every protocol shows as it is (the
 * WebSocket {@code error} frame's {@code code}, the problem detail's {@code code}). No
 * web type in sight, so the domain can throw it and any front door can answer it.
 * Refusals are expected and frequent under abuse, so no stack trace is filled in.
 */
public class ChatProblem extends RuntimeException {

	/** What went wrong, as far as the caller is concerned. */
	public enum Kind {

		/** The request itself is not acceptable (REST: 400). */
		INVALID,

		/** The caller may not do this here (REST: 403). */
		DENIED,

		/** The request is fine but clashes with the state of things (REST: 409). */
		CONFLICT,

		/** What the request names does not exist here (REST: 404). */
		NOT_FOUND

	}

	private final Kind kind;

	private final String code;

	public ChatProblem(Kind kind, String code, String message) {
		super(message, null, false, false);
		this.kind = kind;
		this.code = code;
	}

	public static ChatProblem invalid(String code, String message) {
		return new ChatProblem(Kind.INVALID, code, message);
	}

	public static ChatProblem denied(String message) {
		return new ChatProblem(Kind.DENIED, "forbidden", message);
	}

	public static ChatProblem conflict(String code, String message) {
		return new ChatProblem(Kind.CONFLICT, code, message);
	}

	public static ChatProblem notFound(String code, String message) {
		return new ChatProblem(Kind.NOT_FOUND, code, message);
	}

	public Kind kind() {
		return this.kind;
	}

	public String code() {
		return this.code;
	}

}
