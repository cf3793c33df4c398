package com.marketplace.chat.message;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The message writers' own database connections: a pool beside the application's, with
 * the same settings, so that history pages, handshakes and catch-up reads can take every
 * connection of theirs and storing still gets one. Every transaction here is bounded by
 * {@code chat.message.commit-timeout}: statements get it as their query timeout, and the
 * sockets of MySQL and MariaDB connections as their read timeout, so a database that stops
 * answering fails a commit within that time instead of holding its senders.
 */
@Component
class WriterDatabase implements DisposableBean {

	static final String POOL_NAME = "message-writers";

	private final HikariDataSource pool;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	WriterDatabase(DataSource application, MessageProperties properties) {
		HikariConfig config = new HikariConfig();
		if (application instanceof HikariDataSource hikari) {
			hikari.copyStateTo(config);
		}
		else {
			throw new IllegalStateException("The message writers copy the settings of a Hikari pool, but the "
					+ "application's DataSource is a " + application.getClass().getName());
		}
		config.setPoolName(POOL_NAME);
		int size = (properties.writers() == 0) ? config.getMaximumPoolSize() : properties.writers() + 1;
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(size);
		config.setAutoCommit(false);
		if (isMySqlOrMariaDb(config.getJdbcUrl())) {
			long socketTimeout = properties.commitTimeout().plus(Duration.ofSeconds(1)).toMillis();
			config.addDataSourceProperty("socketTimeout", Long.toString(socketTimeout));
		}
		this.pool = new HikariDataSource(config);
		this.jdbc = JdbcClient.create(this.pool);
		TransactionTemplate template = new TransactionTemplate(new JdbcTransactionManager(this.pool));
		template.setTimeout((int) Math.max(1, properties.commitTimeout().toSeconds()));
		this.transactions = template;
	}

	private static boolean isMySqlOrMariaDb(String url) {
		return url != null && (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:"));
	}

	JdbcClient jdbc() {
		return this.jdbc;
	}

	TransactionTemplate transactions() {
		return this.transactions;
	}

	@Override
	public void destroy() {
		this.pool.close();
	}

}
