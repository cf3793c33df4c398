package com.marketplace.chat.standalone;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /dev/tokens {"user_id": 1, "roles": ["client"]}}: a token for anyone,
 * standalone mode only.
 */
@RestController
@Profile("standalone")
class DevTokenController {

	private final DevTokens tokens;

	DevTokenController(DevTokens tokens) {
		this.tokens = tokens;
	}

	@PostMapping("/dev/tokens")
	DevTokens.Issued issue(@Valid @RequestBody TokenRequest request) {
		return this.tokens.mint(request.userId(), (request.roles() != null) ? request.roles() : List.of());
	}

	record TokenRequest(@NotNull @Positive Long userId, List<String> roles) {
	}

}
