package com.marketplace.chat.system;

import java.util.Map;

import com.marketplace.chat.testing.Replica;
import com.marketplace.chat.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseDriverCheckTests {

	@Test
	void refusesMariaDbThroughMySqlsDriverNamingTheFix() {
		assertThatThrownBy(() -> DatabaseDriverCheck.check("MySQL Connector/J", "5.5.5-10.11.19-MariaDB-0+deb12u1"))
			.hasMessageContaining("jdbc:mariadb://");
	}

	@Test
	void acceptsEachServerThroughItsOwnDriver() {
		assertThatCode(() -> DatabaseDriverCheck.check("MySQL Connector/J", "8.4.3")).doesNotThrowAnyException();
		assertThatCode(() -> DatabaseDriverCheck.check("MariaDB Connector/J", "10.11.19-MariaDB"))
			.doesNotThrowAnyException();
		assertThatCode(() -> DatabaseDriverCheck.check("H2 JDBC Driver", "2.4.240")).doesNotThrowAnyException();
	}

	@Test
	void aReplicaStartsOnItsServersOwnDriverAndNotOnMySqlsForMariaDb() throws Exception {
		String url = TestInfrastructure.get().jdbcUrl();
		String mysqlUrl = url.replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
		boolean mariaDb;
		try (var connection = TestInfrastructure.get().openDatabase()) {
			mariaDb = connection.getMetaData().getDatabaseProductVersion().contains("MariaDB");
		}
		if (mariaDb) {
			assertThatThrownBy(() -> Replica.start("mysql-driver", Map.of("spring.datasource.url", mysqlUrl)))
				.hasStackTraceContaining("Use a jdbc:mariadb:// URL");
		}
		else {
			try (Replica replica = Replica.start("mysql-driver", Map.of("spring.datasource.url", mysqlUrl))) {
				assertThatCode(replica::port).doesNotThrowAnyException();
			}
		}
	}

}
