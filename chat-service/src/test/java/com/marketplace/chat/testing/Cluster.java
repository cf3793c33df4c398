package com.marketplace.chat.testing;

import java.util.Map;

/**
 * Two replicas (A and B) shared by the test classes of one JVM, started on first use and
 * stopped at exit. Tests stay independent by making their own chats and users.
 */
public final class Cluster {

	private static Cluster instance;

	public final Replica a;

	public final Replica b;

	private Cluster() {
		this.a = Replica.start("A", Map.of());
		this.b = Replica.start("B", Map.of());
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			this.b.close();
			this.a.close();
		}));
	}

	public static synchronized Cluster get() {
		if (instance == null) {
			instance = new Cluster();
		}
		return instance;
	}

	/** A user id no other test uses. */
	public static long newUserId() {
		return Chats.newUserId();
	}

}
