package com.marketplace.chat.message;

/**
 * What a message's text and its {@code client_message_id} may hold, the same for
 * WebSocket and REST. Text is Unicode as MySQL's {@code utf8mb4} stores it: a lone
 * surrogate (which a JSON escape of one UTF-16 half can smuggle in) would be stored as
 * something other than what was acked, so it is refused. Control characters are refused
 * too, except tab and newline; a carriage return, alone or before a newline, becomes a
 * newline, as browsers do with text areas.
 */
final class ContentRules {

	private ContentRules() {
	}

	/**
	 * The content as it will be stored.
	 * @throws InvalidMessageException when it is missing, blank, too long, or holds a
	 * character it may not
	 */
	static String content(String content, int maxCodePoints) {
		if (content == null) {
			throw new InvalidMessageException("invalid_content", "content is required and must be a string.");
		}
		String normalised = content.indexOf('\r') < 0 ? content : content.replace("\r\n", "\n").replace('\r', '\n');
		refuseUnstorable(normalised, "content", "invalid_content", true);
		if (normalised.isBlank()) {
			throw new InvalidMessageException("invalid_content", "content must not be blank.");
		}
		int length = normalised.codePointCount(0, normalised.length());
		if (length > maxCodePoints) {
			throw new InvalidMessageException("content_too_long",
					"content has " + length + " characters; the limit is " + maxCodePoints + ".");
		}
		return normalised;
	}

	/**
	 * The client message id as sent, or {@code null} when there is none.
	 * @throws InvalidMessageException when it is empty, too long, or holds a control
	 * character or a lone surrogate
	 */
	static String clientMessageId(String id, int maxCodePoints) {
		if (id == null) {
			return null;
		}
		if (id.isEmpty() || id.codePointCount(0, id.length()) > maxCodePoints) {
			throw new InvalidMessageException("invalid_client_message_id",
					"client_message_id must be 1 to " + maxCodePoints + " characters.");
		}
		refuseUnstorable(id, "client_message_id", "invalid_client_message_id", false);
		return id;
	}

	private static void refuseUnstorable(String text, String field, String code, boolean tabsAndNewlines) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
				continue;
			}
			if (Character.isSurrogate(c)) {
				throw new InvalidMessageException(code, field + " holds a lone surrogate (U+" + hex(c) + " at " + i
						+ "), which is not a Unicode character.");
			}
			if (isControl(c) && !(tabsAndNewlines && (c == '\t' || c == '\n'))) {
				throw new InvalidMessageException(code, field + " holds the control character U+" + hex(c) + " at " + i
						+ "; only tab and newline are allowed" + (tabsAndNewlines ? "." : " in content."));
			}
		}
	}

	/** C0 controls, DEL and C1 controls. */
	private static boolean isControl(char c) {
		return c < 0x20 || (c >= 0x7F && c <= 0x9F);
	}

	private static String hex(char c) {
		return String.format("%04X", (int) c);
	}

}
