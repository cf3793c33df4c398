package com.marketplace.chat.security;

import java.io.IOException;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.marketplace.chat.problems.ProblemDetails;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import tools.jackson.databind.json.JsonMapper;

/**
 * Per-user limits on the REST calls that write: sending a message and creating a chat,
 * each a token bucket per user on this replica. Over it the call is answered 429 with
 * {@code Retry-After} (whole seconds until the next one would pass), before its body is
 * read. Buckets of users who stop calling are forgotten after ten minutes. Admins are not
 * limited: that is the marketplace backend's own token, which creates chats for everyone.
 */
@Configuration(proxyBeanMethods = false)
class RestLimits implements WebMvcConfigurer {

	private final RestLimitProperties properties;

	private final MeterRegistry meters;

	private final JsonMapper json;

	RestLimits(RestLimitProperties properties, MeterRegistry meters, JsonMapper json) {
		this.properties = properties;
		this.meters = meters;
		this.json = json;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new Limit("send", this.properties.sendsPerMinute(), this.properties.sendBurst()))
			.addPathPatterns("/api/service-chats/*/messages", "/api/support-chats/*/messages");
		registry
			.addInterceptor(new Limit("create", this.properties.creationsPerMinute(), this.properties.creationBurst()))
			.addPathPatterns("/api/service-chats", "/api/support-chats");
	}

	/** One action's buckets, by user id. */
	private final class Limit implements HandlerInterceptor {

		private final String action;

		private final Bandwidth bandwidth;

		private final Cache<Long, Bucket> buckets = Caffeine.newBuilder()
			.expireAfterAccess(Duration.ofMinutes(10))
			.build();

		Limit(String action, int perMinute, int burst) {
			this.action = action;
			this.bandwidth = Bandwidth.builder().capacity(burst).refillGreedy(perMinute, Duration.ofMinutes(1)).build();
		}

		@Override
		public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
				throws IOException {
			if (!HttpMethod.POST.matches(request.getMethod())) {
				return true;
			}
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			if (authentication == null || !(authentication.getPrincipal() instanceof ChatUser user) || user.isAdmin()) {
				return true;
			}
			Bucket bucket = this.buckets.get(user.id(), (id) -> Bucket.builder().addLimit(this.bandwidth).build());
			ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
			if (probe.isConsumed()) {
				return true;
			}
			long retryAfter = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
			RestLimits.this.meters.counter("chat.rest.rate.limited", "action", this.action).increment();
			response.setHeader("Retry-After", Long.toString(retryAfter));
			ProblemDetails.write(RestLimits.this.json, response, HttpStatus.TOO_MANY_REQUESTS,
					"Too many " + ("send".equals(this.action) ? "messages" : "new chats") + " from this user; retry in "
							+ retryAfter + " s.");
			return false;
		}

	}

}
