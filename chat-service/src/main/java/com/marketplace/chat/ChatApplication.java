package com.marketplace.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Marketplace chat service: raw WebSocket endpoints and a REST API for service chats
 * (client and master) and support chats (client and support agent). MySQL is the source
 * of truth; Redis pub/sub carries notifications between replicas.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChatApplication {

	public static void main(String[] args) {
		SpringApplication.run(ChatApplication.class, args);
	}

}
