package com.marketplace.chat.security;

import java.io.IOException;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Browsers send the WebSocket token as {@code ?token=}. Everything that logs a request or
 * a session's URI (Spring's debug logging of requests and WebSocket sessions, for one)
 * reads the query string, so this filter hands the rest of the application a request
 * whose query string shows {@code token=***}. The parameter itself stays readable for
 * {@link TokenResolver}.
 */
@Configuration(proxyBeanMethods = false)
class QueryTokenMasking {

	private static final Pattern TOKEN = Pattern.compile("(^|&)(" + TokenResolver.QUERY_PARAMETER + ")=[^&]*");

	static String mask(String query) {
		return (query != null) ? TOKEN.matcher(query).replaceAll("$1$2=***") : null;
	}

	@Bean
	FilterRegistrationBean<OncePerRequestFilter> queryTokenMaskingFilter() {
		OncePerRequestFilter filter = new OncePerRequestFilter() {

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				chain.doFilter(new HttpServletRequestWrapper(request) {

					@Override
					public String getQueryString() {
						return mask(super.getQueryString());
					}

				}, response);
			}

		};
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.addUrlPatterns("/ws/*");
		return registration;
	}

}
