package com.marketplace.chat.message;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The message writers' own database connections: a pool beside the application's, with
 * the same settings, so that history pages, handshakes and catch-up reads can take every
 * connection of theirs and storing still gets one. Every transaction here is bounded by
 * {@code chat.message.commit-timeout}: statements get it as their query timeout, and the
 * sockets of MySQL and MariaDB connections as their read timeout, so a database that
 * stops answering fails a commit within that time instead of holding its senders.
 */
@Component
class WriterDatabase implements DisposableBean {

	static final String POOL_NAME = "message-writers";

	private final HikariDataSource pool;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final boolean consecutiveIds;

	private final boolean multiStatements;

	private final JdbcTemplate template;

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
		// Writers lock what they read (SELECT ... FOR UPDATE) and need no snapshot: under
		// READ COMMITTED an UPDATE that scans a small table neither locks nor waits for
		// rows outside its WHERE, so two writers with different chats do not deadlock on
		// them.
		config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
		if (isMySqlOrMariaDb(config.getJdbcUrl())) {
			long socketTimeout = properties.commitTimeout().plus(Duration.ofSeconds(1)).toMillis();
			config.addDataSourceProperty("socketTimeout", Long.toString(socketTimeout));
		}
		this.multiStatements = isMariaDb(config.getJdbcUrl());
		if (this.multiStatements) {
			// Lets a writer send the statements of a commit that do not wait for each
			// other's answers in one round trip. Every statement here binds its values
			// as parameters; none is built from what a client sent.
			config.addDataSourceProperty("allowMultiQueries", "true");
		}
		this.pool = new HikariDataSource(config);
		this.template = new JdbcTemplate(this.pool);
		this.jdbc = JdbcClient.create(this.template);
		TransactionTemplate template = new TransactionTemplate(new JdbcTransactionManager(this.pool));
		template.setTimeout((int) Math.max(1, properties.commitTimeout().toSeconds()));
		this.transactions = template;
		this.consecutiveIds = handsOutConsecutiveIds(this.jdbc);
	}

	/**
	 * Whether one multi-row {@code INSERT} gets consecutive auto-increment ids: on InnoDB
	 * with {@code innodb_autoinc_lock_mode} 0 or 1 (MariaDB's default; MySQL 8's is 2)
	 * and an increment of 1. Then an insert's first id gives all of them.
	 */
	private static boolean handsOutConsecutiveIds(JdbcClient jdbc) {
		try {
			return jdbc.sql("SELECT @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS increment")
				.query((rs, row) -> rs.getInt("lock_mode") <= 1 && rs.getInt("increment") == 1)
				.single();
		}
		catch (RuntimeException notMySql) {
			return false;
		}
	}

	boolean consecutiveIds() {
		return this.consecutiveIds;
	}

	/**
	 * Whether a statement here may hold several, separated by semicolons: on MariaDB's
	 * driver (Connector/J 3), whose multi-statement results, generated keys first, are
	 * what this service is tested against. MySQL's driver and H2 get one statement a
	 * round trip.
	 */
	boolean multiStatements() {
		return this.multiStatements;
	}

	private static boolean isMariaDb(String url) {
		return url != null && url.startsWith("jdbc:mariadb:");
	}

	private static boolean isMySqlOrMariaDb(String url) {
		return url != null && (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:"));
	}

	JdbcClient jdbc() {
		return this.jdbc;
	}

	/** The same connections as {@link #jdbc()}, for statements it cannot express. */
	JdbcTemplate template() {
		return this.template;
	}

	TransactionTemplate transactions() {
		return this.transactions;
	}

	@Override
	public void destroy() {
		this.pool.close();
	}

}
