package com.marketplace.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Marketplace chat service: raw WebSocket endpoints and a REST API for service chats
 * (client and master) and support chats (client and support agent). MySQL is the source
 * of truth; Redis pub/sub carries notifications between replicas.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ChatApplication {

	static {
		// Tomcat's WebSocket input, output and encoder buffers are 8 KiB each per
		// connection by default and held for the connection's life; frames larger than a
		// buffer are simply handled in several passes.
		if (System.getProperty("org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE") == null) {
			System.setProperty("org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE", "512");
		}
	}

	public static void main(String[] args) {
		SpringApplication.run(ChatApplication.class, args);
	}

}
