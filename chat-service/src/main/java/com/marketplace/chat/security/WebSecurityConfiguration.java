package com.marketplace.chat.security;

import com.marketplace.chat.problems.ProblemDetails;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;

import tools.jackson.databind.json.JsonMapper;

/**
 * Two filter chains. WebSocket handshakes pass through untouched: the handshake
 * interceptor authenticates them itself, because the protocol fixes its answers (401,
 * 403, 503) and the token may come from a query parameter or a cookie. Everything under
 * {@code /api/} needs a bearer JWT validated by the resource server; its failures are RFC
 * 9457 problem details.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurityConfiguration {

	@Bean
	@Order(1)
	SecurityFilterChain webSocketHandshakes(HttpSecurity http) throws Exception {
		http.securityMatcher("/ws/**")
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain api(HttpSecurity http, ChatUsers users, JsonMapper json) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/api/**")
			.authenticated()
			.requestMatchers("/actuator/health/**", "/actuator/info", "/actuator/prometheus")
			.permitAll()
			.requestMatchers("/actuator/**")
			.denyAll()
			.anyRequest()
			.permitAll())
			.csrf((csrf) -> csrf.disable())
			.requestCache((cache) -> cache.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.exceptionHandling((handling) -> handling.authenticationEntryPoint(problemEntryPoint(json))
				.accessDeniedHandler(problemAccessDenied(json)))
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt
					.jwtAuthenticationConverter((token) -> new ChatUserAuthentication(users.fromJwt(token), token)))
				.authenticationEntryPoint(problemEntryPoint(json))
				.accessDeniedHandler(problemAccessDenied(json)))
			.httpBasic((basic) -> basic.disable())
			.formLogin((form) -> form.disable())
			.cors(Customizer.withDefaults());
		return http.build();
	}

	private static AuthenticationEntryPoint problemEntryPoint(JsonMapper json) {
		BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
		return (request, response, ex) -> {
			bearer.commence(request, response, ex);
			ProblemDetails.write(json, response, HttpStatus.UNAUTHORIZED,
					"A valid bearer token is required: " + ex.getMessage());
		};
	}

	private static AccessDeniedHandler problemAccessDenied(JsonMapper json) {
		BearerTokenAccessDeniedHandler bearer = new BearerTokenAccessDeniedHandler();
		return (request, response, ex) -> {
			bearer.handle(request, response, ex);
			ProblemDetails.write(json, response, HttpStatus.FORBIDDEN, "Not allowed for this user.");
		};
	}

}
