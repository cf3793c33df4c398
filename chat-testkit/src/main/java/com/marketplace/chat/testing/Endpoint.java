package com.marketplace.chat.testing;

/** A running replica as clients reach it: on loopback, at its port. */
public interface Endpoint {

	String name();

	int port();

	default String httpUrl() {
		return "http://127.0.0.1:" + port();
	}

	default String wsUrl() {
		return "ws://127.0.0.1:" + port();
	}

}
