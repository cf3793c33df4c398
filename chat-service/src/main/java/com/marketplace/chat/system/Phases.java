package com.marketplace.chat.system;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * When each component that runs threads or timers starts and stops, in one place. Spring
 * starts the lowest phase first and stops the highest first, so on shutdown:
 * <ol>
 * <li>{@link #INLINE_READS}: reads stop running on Tomcat's poller;</li>
 * <li>{@link #CONNECTIONS}: new handshakes are refused and every WebSocket is closed with
 * 1001, so that clients resume on another replica;</li>
 * <li>{@link #WEB_SERVER_GRACEFUL_SHUTDOWN} and {@link #WEB_SERVER} (Spring Boot's): REST
 * requests in flight finish, then the server stops; no send can arrive after this;</li>
 * <li>{@link #WRITERS}: what is queued is committed and published;</li>
 * <li>{@link #BUS_PROBE}, then {@link #RELAY}: delivery and its timers stop;</li>
 * <li>{@link #OFF_PATH_METERS}: the samples all of them took are recorded.</li>
 * </ol>
 * The Redis and database connections are closed after all of them, when their beans are
 * destroyed.
 */
public final class Phases {

	public static final int INLINE_READS = SmartLifecycle.DEFAULT_PHASE - 256;

	public static final int CONNECTIONS = SmartLifecycle.DEFAULT_PHASE - 512;

	public static final int WEB_SERVER_GRACEFUL_SHUTDOWN = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;

	/** Spring Boot's {@code WebServerStartStopLifecycle}, which names no constant. */
	public static final int WEB_SERVER = SmartLifecycle.DEFAULT_PHASE - 2048;

	public static final int WRITERS = WEB_SERVER - 1024;

	public static final int BUS_PROBE = WRITERS - 512;

	public static final int RELAY = WRITERS - 1024;

	public static final int OFF_PATH_METERS = RELAY - 1024;

	private Phases() {
	}

}
