package com.marketplace.chat.ws;

import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.RequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * Performs the upgrade with only what the upgrade itself needs. Tomcat and Spring each
 * keep a copy of the handshake request's headers, parameters and principal for the
 * connection's whole life; for a browser that is every cookie, and here also the token
 * ({@code ?token=} and the decoded JWT behind the principal), several KiB per idle
 * connection that nothing reads after the handshake. The upgrade sees the upgrade headers
 * when it asks for them by name, and no list of headers to copy. Authentication, the
 * origin check and {@link HandshakeGate} have all run on the full request before this
 * point; the connection's user and chat travel in the session attributes.
 */
class LeanHandshakeHandler extends DefaultHandshakeHandler {

	private static final String EXTENSIONS = "sec-websocket-extensions";

	/**
	 * @param compression whether {@code permessage-deflate} may be negotiated. Tomcat
	 * reads the client's offer from the request itself and installs it whatever Spring
	 * selected, so when it is off the container never sees the offer.
	 */
	LeanHandshakeHandler(boolean compression) {
		super(new LeanUpgrade(new StandardWebSocketUpgradeStrategy(), compression));
	}

	/** Hands the container a request reduced to the upgrade headers, and no user. */
	private record LeanUpgrade(RequestUpgradeStrategy container,
			boolean compression) implements RequestUpgradeStrategy {

		@Override
		public String[] getSupportedVersions() {
			return this.container.getSupportedVersions();
		}

		@Override
		public List<WebSocketExtension> getSupportedExtensions(ServerHttpRequest request) {
			return this.compression ? this.container.getSupportedExtensions(request) : List.of();
		}

		@Override
		public void upgrade(ServerHttpRequest request, ServerHttpResponse response, String selectedProtocol,
				List<WebSocketExtension> selectedExtensions, Principal user, WebSocketHandler handler,
				Map<String, Object> attributes) throws HandshakeFailureException {
			ServerHttpRequest lean = (request instanceof ServletServerHttpRequest servlet)
					? new ServletServerHttpRequest(new UpgradeOnly(servlet.getServletRequest(), this.compression))
					: request;
			this.container.upgrade(lean, response, selectedProtocol, selectedExtensions, null, handler, attributes);
		}

	}

	/**
	 * The request as the upgrade sees it: the handshake headers, read by name only; no
	 * parameters, no principal.
	 */
	private static final class UpgradeOnly extends HttpServletRequestWrapper {

		private final boolean compression;

		UpgradeOnly(HttpServletRequest request, boolean compression) {
			super(request);
			this.compression = compression;
		}

		/**
		 * Every header read by name, but the client's extension offer only when
		 * compression may be negotiated: nothing keeps what is read this way.
		 */
		private boolean kept(String name) {
			return this.compression || !EXTENSIONS.equals(name.toLowerCase(Locale.ROOT));
		}

		@Override
		public String getHeader(String name) {
			return kept(name) ? super.getHeader(name) : null;
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return kept(name) ? super.getHeaders(name) : Collections.emptyEnumeration();
		}

		/**
		 * None: the upgrade reads each header it needs by name, and what is listed here
		 * Tomcat and Spring each copy into a map the connection keeps for its whole life
		 * (several hundred bytes a header and copy, 3.5 KiB of a connection's 16 for the
		 * upgrade headers alone).
		 */
		@Override
		public Enumeration<String> getHeaderNames() {
			return Collections.emptyEnumeration();
		}

		@Override
		public String getQueryString() {
			return null;
		}

		@Override
		public String getParameter(String name) {
			return null;
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			return Map.of();
		}

		@Override
		public Enumeration<String> getParameterNames() {
			return Collections.emptyEnumeration();
		}

		@Override
		public String[] getParameterValues(String name) {
			return null;
		}

		@Override
		public Principal getUserPrincipal() {
			return null;
		}

	}

}
