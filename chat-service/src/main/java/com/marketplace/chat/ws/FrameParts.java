package com.marketplace.chat.ws;

/**
 * Assembles one incoming text message from the parts the container reads it in (its read
 * buffer is small, so an idle connection holds a few KiB instead of a buffer as large as
 * the largest frame), up to a limit. Only the connection's own message thread calls it.
 */
final class FrameParts {

	private StringBuilder partial;

	private boolean oversized;

	/**
	 * Adds one part. Returns the whole message once its last part has arrived,
	 * {@code null} while parts are missing or when it grew past {@code maxChars} (then
	 * {@link #isOversized()} is true and the connection must close).
	 */
	String add(String part, boolean last, int maxChars) {
		if (this.oversized) {
			return null;
		}
		if (this.partial == null) {
			if (last && part.length() <= maxChars) {
				return part;
			}
			this.partial = new StringBuilder(Math.min(maxChars, part.length() * 2));
		}
		if (this.partial.length() + part.length() > maxChars) {
			this.oversized = true;
			this.partial = null;
			return null;
		}
		this.partial.append(part);
		if (!last) {
			return null;
		}
		String whole = this.partial.toString();
		this.partial = null;
		return whole;
	}

	boolean isOversized() {
		return this.oversized;
	}

}
