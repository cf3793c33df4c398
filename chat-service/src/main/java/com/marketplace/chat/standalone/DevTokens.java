package com.marketplace.chat.standalone;

import java.util.List;

/** Mints development tokens that this process accepts. */
@FunctionalInterface
interface DevTokens {

	Issued mint(long userId, List<String> roles);

	record Issued(String accessToken, String tokenType, long expiresIn) {
	}

}
