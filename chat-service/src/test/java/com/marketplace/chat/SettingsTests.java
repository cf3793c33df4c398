package com.marketplace.chat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marketplace.chat.fanout.FanoutProperties;
import com.marketplace.chat.message.MessageProperties;
import com.marketplace.chat.security.RestLimitProperties;
import com.marketplace.chat.security.SecurityProperties;
import com.marketplace.chat.standalone.StandaloneProperties;
import com.marketplace.chat.ws.WsProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code chat.*} settings: validated when bound, so a bad value stops start-up naming
 * the setting, and documented in the README with the defaults the code has (the
 * configuration processor's metadata is the list).
 */
class SettingsTests {

	@EnableConfigurationProperties({ WsProperties.class, MessageProperties.class, FanoutProperties.class,
			RestLimitProperties.class, SecurityProperties.class, StandaloneProperties.class })
	static class AllSettings {

	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(AllSettings.class);

	@Test
	void theDefaultsAreValid() {
		this.runner.run((context) -> assertThat(context).hasNotFailed());
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			chat.message.max-content-length=9000 | chat.message | maxContentLength
			chat.message.group-size=0            | chat.message | groupSize
			chat.message.writers=-1              | chat.message | writers
			chat.fanout.backend=kafka            | chat.fanout  | backend
			chat.fanout.catch-up-reads=0         | chat.fanout  | catchUpReads
			chat.ws.ping-interval=0s             | chat.ws      | pingInterval
			chat.ws.max-connections=0            | chat.ws      | maxConnections
			chat.rest.send-burst=0               | chat.rest    | sendBurst
			chat.security.user-id-claim=         | chat.security | userIdClaim
			""")
	void anInvalidSettingStopsStartUpNamingIt(String setting, String prefix, String field) {
		this.runner.withPropertyValues(setting).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			while (failure != null && !(failure instanceof BindValidationException)) {
				failure = failure.getCause();
			}
			assertThat(failure).as("a validation failure").isNotNull();
			assertThat(failure.getMessage()).contains("'" + prefix + "'").contains("'" + field + "'");
		});
	}

	@Test
	void theReadmeListsEveryChatSettingWithItsDefault() throws IOException {
		Map<String, String> documented = readmeDefaults();
		Map<String, JsonNode> metadata = new TreeMap<>();
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("the configuration processor's metadata").isNotNull();
			JsonMapper.shared().readTree(in).get("properties").forEach((property) -> {
				if (property.get("name").asString().startsWith("chat.")) {
					metadata.put(property.get("name").asString(), property.get("defaultValue"));
				}
			});
		}
		assertThat(documented.keySet()).as("chat.* settings in the README's table")
			.containsExactlyInAnyOrderElementsOf(metadata.keySet());
		metadata.forEach((name, value) -> {
			String cell = documented.get(name);
			if (value == null || value.isNull() || (value.isArray() && value.isEmpty())) {
				assertThat(cell).as(name + " has no default value in the code").doesNotStartWith("`");
			}
			else {
				assertThat(cell).as(name).isEqualTo("`" + value.asString() + "`");
			}
		});
	}

	/**
	 * The README's settings rows, name to default cell: a row may name several settings
	 * ({@code `a` / `b`}) with as many defaults ({@code `1` / `2`}).
	 */
	private static Map<String, String> readmeDefaults() throws IOException {
		Pattern name = Pattern.compile("`(chat\\.[a-z.-]+)`");
		Map<String, String> defaults = new TreeMap<>();
		for (String line : Files.readAllLines(Path.of("../README.md"))) {
			if (!line.startsWith("| `chat.")) {
				continue;
			}
			String[] cells = line.split("\\|");
			List<String> names = new ArrayList<>();
			Matcher matcher = name.matcher(cells[1]);
			while (matcher.find()) {
				names.add(matcher.group(1));
			}
			String[] values = cells[2].trim().split(" / ");
			assertThat(values).as("one default per setting in: " + line).hasSize(names.size());
			for (int i = 0; i < names.size(); i++) {
				defaults.put(names.get(i), values[i].trim());
			}
		}
		return defaults;
	}

}
