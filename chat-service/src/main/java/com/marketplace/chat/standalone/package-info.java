/**
 * Everything only the standalone mode needs: a development token issuer (an RSA key made
 * at start, {@code POST /dev/tokens}) whose tokens this process accepts, and a small
 * browser page to try the chat. Active only in the {@code standalone} profile, the
 * default when no profile is set; it refuses to start on a non-loopback address unless
 * {@code chat.standalone.allow-non-loopback=true}. Cluster mode never loads it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "standalone")
package com.marketplace.chat.standalone;
