package com.marketplace.chat.bench;

/**
 * The users of {@code chats} service chats: chat {@code c} has client {@code base+2c+1}
 * and master {@code base+2c+2}; {@code userIds} and {@code roles} list all of them,
 * client then master, ready for minting tokens in one go.
 */
record ChatParties(long[] clients, long[] masters, long[] userIds, String[] roles) {

	static ChatParties of(long base, int chats) {
		long[] userIds = new long[2 * chats];
		String[] roles = new String[2 * chats];
		long[] clients = new long[chats];
		long[] masters = new long[chats];
		for (int c = 0; c < chats; c++) {
			clients[c] = base + 2L * c + 1;
			masters[c] = base + 2L * c + 2;
			userIds[2 * c] = clients[c];
			roles[2 * c] = "client";
			userIds[2 * c + 1] = masters[c];
			roles[2 * c + 1] = "master";
		}
		return new ChatParties(clients, masters, userIds, roles);
	}

}
