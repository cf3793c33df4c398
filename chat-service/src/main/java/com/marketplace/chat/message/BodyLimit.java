package com.marketplace.chat.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import com.marketplace.chat.problems.ProblemDetails;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses a REST body larger than any request of the API can be with 413, before a byte
 * of it is parsed, authenticated or not: the largest is a message of
 * {@code chat.message.max-content-length} characters, each written in JSON as two escaped
 * UTF-16 halves (six bytes each) at worst, and its client message id. A body that
 * announces its length is refused by that; a chunked one is read up to the limit and no
 * further.
 */
@Configuration(proxyBeanMethods = false)
class BodyLimit {

	/** Bytes a JSON string may need per Unicode code point: two escaped UTF-16 halves. */
	static final int WORST_BYTES_PER_CODE_POINT = 12;

	static long maxBodyBytes(MessageProperties properties) {
		return (long) WORST_BYTES_PER_CODE_POINT
				* (properties.maxContentLength() + MessageProperties.MAX_CLIENT_MESSAGE_ID_LENGTH) + 4096;
	}

	@Bean
	FilterRegistrationBean<OncePerRequestFilter> bodyLimitFilter(MessageProperties properties, JsonMapper json) {
		long limit = maxBodyBytes(properties);
		OncePerRequestFilter filter = new OncePerRequestFilter() {

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				long declared = request.getContentLengthLong();
				if (declared > limit) {
					refuse(json, response, limit);
					return;
				}
				if (declared >= 0 || !hasBody(request)) {
					chain.doFilter(request, response);
					return;
				}
				byte[] body = request.getInputStream().readNBytes((int) limit + 1);
				if (body.length > limit) {
					refuse(json, response, limit);
					return;
				}
				chain.doFilter(new ReadBody(request, body), response);
			}

		};
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		registration.addUrlPatterns("/api/*");
		return registration;
	}

	private static boolean hasBody(HttpServletRequest request) {
		return request.getHeader("Transfer-Encoding") != null;
	}

	private static void refuse(JsonMapper json, HttpServletResponse response, long limit) throws IOException {
		// Tomcat would otherwise read and discard the rest of the body to keep the
		// connection.
		response.setHeader("Connection", "close");
		ProblemDetails.write(json, response, HttpStatus.CONTENT_TOO_LARGE,
				"The body is over " + limit + " bytes, more than any request of this API needs.");
	}

	/** The request with its already read (chunked) body. */
	private static final class ReadBody extends HttpServletRequestWrapper {

		private final byte[] body;

		ReadBody(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {

				@Override
				public int read() throws IOException {
					return in.read();
				}

				@Override
				public int read(byte[] buffer, int offset, int length) throws IOException {
					return in.read(buffer, offset, length);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("synchronous reads only");
				}

			};
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

	}

}
