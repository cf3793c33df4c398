package com.marketplace.chat.message;

import java.time.Duration;
import java.util.Locale;

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

	private final TransactionTemplate messageTransactions;

	WriterDatabase(DataSource application, MessageProperties properties) {
		HikariConfig config = new HikariConfig();
		if (application instanceof HikariDataSource hikari) {
			hikari.copyStateTo(config);
		}
		else {
			throw new IllegalStateException("The message writers copy the settings of a Hikari pool, but the "
					+ "application's DataSource is a " + application.getClass().getName());
		}
		JdbcTemplate probe = new JdbcTemplate(application);
		checkGroupFits(probe, properties);
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
		boolean sessionBound = this.multiStatements && hasStatementTimeVariable(probe);
		if (sessionBound) {
			String init = "SET SESSION max_statement_time = " + statementSeconds(properties.commitTimeout());
			String own = config.getConnectionInitSql();
			config.setConnectionInitSql((own == null || own.isBlank()) ? init : own + "; " + init);
		}
		this.pool = new HikariDataSource(config);
		this.template = new JdbcTemplate(this.pool);
		this.jdbc = JdbcClient.create(this.template);
		JdbcTransactionManager manager = new JdbcTransactionManager(this.pool);
		TransactionTemplate bounded = new TransactionTemplate(manager);
		bounded.setTimeout((int) Math.max(1, properties.commitTimeout().toSeconds()));
		this.transactions = bounded;
		this.messageTransactions = sessionBound ? new TransactionTemplate(manager) : bounded;
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

	/**
	 * Refuses to start when a full group of the longest messages would not fit the
	 * server's {@code max_allowed_packet}: its one insert would fail every commit that is
	 * full, which happens under the heaviest load. Servers without the variable (H2) are
	 * not checked.
	 */
	private static void checkGroupFits(JdbcTemplate application, MessageProperties properties) {
		Long packet;
		try {
			packet = application.queryForObject("SELECT @@max_allowed_packet", Long.class);
		}
		catch (RuntimeException notMySql) {
			return;
		}
		long group = worstGroupBytes(properties);
		if (packet != null && group > packet) {
			throw new IllegalStateException(String.format(Locale.ROOT,
					"chat.message.group-size=%d lets one commit insert up to %d bytes of messages, more than the "
							+ "database's max_allowed_packet of %d bytes: lower chat.message.group-size (or "
							+ "chat.message.max-content-length), or raise max_allowed_packet",
					properties.groupSize(), group, packet));
		}
	}

	/**
	 * The most bytes one grouped insert can carry: every message of a full group at the
	 * longest content and {@code client_message_id}, four bytes a character (utf8mb4),
	 * and a margin for the other columns and the statement's text.
	 */
	static long worstGroupBytes(MessageProperties properties) {
		long row = 4L * (properties.maxContentLength() + MessageProperties.MAX_CLIENT_MESSAGE_ID_LENGTH) + 256;
		return properties.groupSize() * row + 4096;
	}

	/**
	 * Whether the server has MariaDB's {@code max_statement_time}, asked through the
	 * application's pool (MySQL and H2 do not know the variable).
	 */
	private static boolean hasStatementTimeVariable(JdbcTemplate application) {
		try {
			application.queryForObject("SELECT @@max_statement_time", Double.class);
			return true;
		}
		catch (RuntimeException notMariaDb) {
			return false;
		}
	}

	/**
	 * Half the commit timeout, in seconds, as {@code max_statement_time} takes it: the
	 * two statements of a batch of messages, the locking read and the insert, fit in one
	 * timeout.
	 */
	private static String statementSeconds(Duration commitTimeout) {
		return String.format(Locale.ROOT, "%.3f", Math.max(0.001, commitTimeout.toMillis() / 2000.0));
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

	/**
	 * Transactions bounded by the commit timeout the way Spring bounds them: every
	 * statement gets what is left of it as its query timeout, and none starts once it is
	 * over. MariaDB's driver sends a query timeout as a prefix of the statement
	 * ({@code SET STATEMENT max_statement_time=N FOR ...}), which costs the server about
	 * a tenth of its work on a batch of messages; {@link #messageTransactions()} avoids
	 * it.
	 */
	TransactionTemplate transactions() {
		return this.transactions;
	}

	/**
	 * Transactions for batches of new messages only, which send two statements (the
	 * locking read and the insert with its updates and, where it can, the commit). On a
	 * MariaDB server through MariaDB's driver, the writers' connections bound each of
	 * their statements to half the commit timeout with the session's
	 * {@code max_statement_time}, set once when the pool opens the connection, so these
	 * transactions carry no timeout of Spring's and their statements no prefix; the
	 * locking read is the only one that waits for others. Elsewhere these are
	 * {@link #transactions()}.
	 */
	TransactionTemplate messageTransactions() {
		return this.messageTransactions;
	}

	@Override
	public void destroy() {
		this.pool.close();
	}

}
