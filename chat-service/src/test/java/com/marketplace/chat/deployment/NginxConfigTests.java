package com.marketplace.chat.deployment;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks deploy/nginx.conf: nginx itself accepts it ({@code nginx -t}), it upgrades and
 * keeps WebSockets open, it limits what one client address may take, and nothing it logs
 * carries the {@code ?token=} query string. {@code nginx -t} needs Debian's nginx on the
 * machine that runs the tests ({@code apt-get install nginx-light}); without it the test
 * fails rather than skips, so a CI image without nginx is noticed.
 */
class NginxConfigTests {

	private static final Path NGINX_CONF = Path.of("..", "deploy", "nginx.conf");

	private static final List<Path> NGINX_LOCATIONS = List.of(Path.of("/usr/sbin/nginx"),
			Path.of("/usr/local/sbin/nginx"), Path.of("/usr/local/nginx/sbin/nginx"));

	/** Variables holding the query string; `$request` is the whole request line. */
	private static final Pattern QUERY_STRING_VARIABLES = Pattern
		.compile("\\$(request|request_uri|args|query_string|is_args|arg_\\w+)\\b");

	private static final Pattern UPSTREAM_HOST = Pattern.compile("(?m)^(\\s*server\\s+)[^\\s:;]+(:\\d+)");

	/**
	 * A shared-memory zone keyed by the client address:
	 * {@code limit_conn_zone $binary_remote_addr zone=name:10m}.
	 */
	private static final Pattern ZONE_PER_ADDRESS = Pattern.compile("\\$binary_remote_addr zone=(\\w+):\\d+[km]\\b.*");

	private static String conf;

	@BeforeAll
	static void readConfig() throws IOException {
		conf = Files.readString(NGINX_CONF);
	}

	@Test
	void passesNginxConfigurationTest(@TempDir Path dir) throws Exception {
		Optional<Path> nginx = findNginx();
		assertThat(nginx)
			.as("nginx is not installed: install Debian's nginx (apt-get install -y nginx-light) "
					+ "to check deploy/nginx.conf with `nginx -t`")
			.isPresent();

		// nginx -t resolves upstream hosts; the compose service names exist only inside
		// the compose network. Temp paths go to the test's directory.
		String testable = UPSTREAM_HOST.matcher(conf)
			.replaceAll("$1127.0.0.1$2")
			.replace("/tmp/nginx-", dir.toAbsolutePath() + "/nginx-");
		Path copy = Files.writeString(dir.resolve("nginx.conf"), testable);
		Path output = dir.resolve("nginx-t.log");
		Process process = new ProcessBuilder(nginx.get().toString(), "-t", "-p", dir.toAbsolutePath() + "/", "-e",
				"stderr", "-g", "pid " + dir.toAbsolutePath().resolve("nginx.pid") + ";", "-c",
				copy.toAbsolutePath().toString())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		boolean finished = process.waitFor(30, TimeUnit.SECONDS);
		if (!finished) {
			process.destroyForcibly();
		}

		assertThat(finished).as("nginx -t finished").isTrue();
		assertThat(process.exitValue()).as("nginx -t: %s", Files.readString(output, StandardCharsets.UTF_8)).isZero();
	}

	@Test
	void upgradesWebSocketsAndKeepsThemOpenLongerThanTheClientsPing() {
		String webSockets = block("location /ws/");

		assertThat(conf).containsPattern("map\\s+\\$http_upgrade\\s+\\$connection_upgrade\\s*\\{");
		assertThat(webSockets).contains("proxy_http_version 1.1;")
			.contains("proxy_set_header Upgrade $http_upgrade;")
			.contains("proxy_set_header Connection $connection_upgrade;")
			.contains("proxy_read_timeout 3600s;")
			.contains("proxy_send_timeout 3600s;");
	}

	@Test
	void limitsOpenWebSocketsPerClientAddress() {
		List<String> zones = zonesPerAddress("limit_conn_zone");
		Matcher limit = Pattern.compile("(?m)^\\s*limit_conn (\\w+) (\\d+);").matcher(block("location /ws/"));

		assertThat(limit.find()).as("limit_conn in location /ws/").isTrue();
		assertThat(zones).as("zone of `%s`", limit.group()).contains(limit.group(1));
		assertThat(Integer.parseInt(limit.group(2))).isBetween(1, 100);
		assertThat(statements("limit_conn_status")).containsExactly("limit_conn_status 429");
	}

	@Test
	void limitsTheRequestRatePerClientAddressOnTheRestApi() {
		List<String> zones = zonesPerAddress("limit_req_zone");
		Matcher limit = Pattern.compile("(?m)^\\s*limit_req zone=(\\w+) burst=(\\d+)( nodelay)?;")
			.matcher(block("location / {"));

		assertThat(limit.find()).as("limit_req with a burst in location /").isTrue();
		assertThat(zones).as("zone of `%s`", limit.group()).contains(limit.group(1));
		assertThat(statements("limit_req_zone")).anySatisfy(
				(zone) -> assertThat(zone).contains("zone=" + limit.group(1) + ":").containsPattern("rate=\\d+r/[sm]"));
		assertThat(statements("limit_req_status")).containsExactly("limit_req_status 429");
	}

	@Test
	void neverLogsTheQueryString() {
		List<String> logFormats = statements("log_format");

		assertThat(logFormats).isNotEmpty();
		assertThat(logFormats)
			.allSatisfy((format) -> assertThat(format).doesNotContainPattern(QUERY_STRING_VARIABLES).contains("$uri"));
		List<String> formatNames = logFormats.stream().map((format) -> format.split("\\s+")[1]).toList();
		assertThat(statements("access_log")).isNotEmpty().allSatisfy((accessLog) -> {
			String[] words = accessLog.split("\\s+");
			assertThat(words[1].equals("off") || (words.length > 2 && formatNames.contains(words[2])))
				.as("`%s` uses a format defined here", accessLog)
				.isTrue();
		});
	}

	@Test
	void keepsRequestLinesOutOfTheErrorLog() {
		assertThat(statements("error_log")).isNotEmpty()
			.allSatisfy((errorLog) -> assertThat(errorLog).matches("error_log\\s+\\S+\\s+(crit|alert|emerg)"));
	}

	/** Names of the directive's zones keyed by the client address. */
	private static List<String> zonesPerAddress(String directive) {
		return statements(directive).stream()
			.map((zone) -> ZONE_PER_ADDRESS.matcher(zone.substring(directive.length() + 1)))
			.filter(Matcher::matches)
			.map((matcher) -> matcher.group(1))
			.toList();
	}

	/**
	 * Every statement starting with the directive, up to its semicolon, whitespace
	 * collapsed.
	 */
	private static List<String> statements(String directive) {
		List<String> statements = new ArrayList<>();
		Matcher matcher = Pattern.compile("(?m)^\\s*(" + directive + "\\s[^;]*);").matcher(withoutComments());
		while (matcher.find()) {
			statements.add(matcher.group(1).replaceAll("\\s+", " ").replace("' '", "").trim());
		}
		return statements;
	}

	/** The body of the block that starts with the given header, braces balanced. */
	private static String block(String header) {
		String text = withoutComments();
		int start = text.indexOf(header);
		assertThat(start).as("`%s` in nginx.conf", header).isNotNegative();
		int open = text.indexOf('{', start);
		int depth = 0;
		for (int i = open; i < text.length(); i++) {
			if (text.charAt(i) == '{') {
				depth++;
			}
			else if (text.charAt(i) == '}' && --depth == 0) {
				return text.substring(open + 1, i).replaceAll("[ \\t]+", " ");
			}
		}
		throw new AssertionError("unbalanced braces after " + header);
	}

	private static String withoutComments() {
		return conf.replaceAll("(?m)#.*$", "");
	}

	private static Optional<Path> findNginx() {
		String path = System.getenv().getOrDefault("PATH", "");
		return Stream
			.concat(Stream.of(path.split(File.pathSeparator))
				.filter((entry) -> !entry.isEmpty())
				.map((entry) -> Path.of(entry, "nginx")), NGINX_LOCATIONS.stream())
			.filter(Files::isExecutable)
			.findFirst();
	}

}
