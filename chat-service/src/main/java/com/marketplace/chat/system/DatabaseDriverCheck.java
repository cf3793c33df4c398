package com.marketplace.chat.system;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Refuses to start on a MariaDB server reached through MySQL's driver (a
 * {@code jdbc:mysql:} URL). MariaDB then passes for MySQL 5.5: Hibernate picks a dialect
 * whose locking SQL MariaDB rejects and that drops fractional seconds. Both drivers ship
 * with the service; the URL's scheme picks one.
 */
@Component
class DatabaseDriverCheck implements InitializingBean {

	private static final Logger log = LoggerFactory.getLogger(DatabaseDriverCheck.class);

	private final DataSource dataSource;

	DatabaseDriverCheck(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterPropertiesSet() {
		String driver;
		String server;
		try (Connection connection = this.dataSource.getConnection()) {
			DatabaseMetaData metadata = connection.getMetaData();
			driver = metadata.getDriverName();
			server = metadata.getDatabaseProductVersion();
		}
		catch (SQLException ex) {
			log.debug("Could not check the database driver now: {}", ex.toString());
			return;
		}
		check(driver, server);
	}

	static void check(String driverName, String serverVersion) {
		if (driverName != null && driverName.startsWith("MySQL Connector") && serverVersion != null
				&& serverVersion.contains("MariaDB")) {
			throw new IllegalStateException("spring.datasource.url points MySQL's driver (jdbc:mysql:) at a MariaDB "
					+ "server (" + serverVersion + "), which it takes for MySQL 5.5. Use a jdbc:mariadb:// URL "
					+ "instead (the MariaDB driver ships with the service); keep jdbc:mysql:// for MySQL 8.");
		}
	}

}
