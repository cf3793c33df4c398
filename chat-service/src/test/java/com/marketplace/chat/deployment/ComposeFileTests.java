package com.marketplace.chat.deployment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.marketplace.chat.deployment.Yamls.at;
import static com.marketplace.chat.deployment.Yamls.list;
import static com.marketplace.chat.deployment.Yamls.map;
import static com.marketplace.chat.deployment.Yamls.string;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads deploy/compose.yaml (and the nginx and OIDC files it mounts) as data and checks
 * that the stack starts in order, runs several cluster-mode replicas with settings the
 * application reads, that nginx balances over exactly those replicas, and that what is
 * for development only stays on this machine or can be overridden: the token issuer on
 * loopback, passwords from the environment.
 */
class ComposeFileTests {

	private static final Path DEPLOY = Path.of("..", "deploy");

	private static final String SERVICE_DOCKERFILE = "chat-service/Dockerfile";

	private static final Pattern UPSTREAM = Pattern.compile("upstream\\s+\\S+\\s*\\{([^}]*)}");

	private static final Pattern UPSTREAM_SERVER = Pattern.compile("(?m)^\\s*server\\s+([^\\s:;]+):(\\d+)");

	/** Compose interpolation with a default: {@code ${CHAT_DB_PASSWORD:-chat}}. */
	private static final Pattern FROM_ENVIRONMENT_WITH_DEFAULT = Pattern.compile("\\$\\{[A-Z][A-Z0-9_]*:-[^}]+}");

	private static final String AUDIENCES = "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES";

	private static Map<String, Object> compose;

	private static Map<String, Object> services;

	@BeforeAll
	static void readComposeFile() throws IOException {
		compose = Yamls.parser().load(Files.readString(DEPLOY.resolve("compose.yaml")));
		services = map(compose, "services");
	}

	@Test
	void givesEveryServiceAHealthcheck() {
		assertThat(services).isNotEmpty();
		services.forEach((name, service) -> {
			List<Object> test = list(service, "healthcheck.test");
			assertThat(test).as("healthcheck.test of %s", name).isNotEmpty().doesNotContain("NONE");
			assertThat(at(service, "healthcheck.disable")).as(name).isNotEqualTo(true);
		});
	}

	@Test
	void startsEveryServiceOnlyAfterItsDependenciesAreHealthy() {
		services.forEach((name, service) -> {
			Object dependsOn = at(service, "depends_on");
			if (dependsOn == null) {
				return;
			}
			assertThat(dependsOn).as("depends_on of %s in the long form, with conditions", name)
				.isInstanceOf(Map.class);
			map(service, "depends_on").forEach((dependency, settings) -> {
				assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency);
				assertThat(string(settings, "condition")).as("%s -> %s", name, dependency).isEqualTo("service_healthy");
			});
		});
	}

	@Test
	void runsSeveralReplicasOfTheServiceInClusterMode() {
		Map<String, Object> replicas = replicas();

		assertThat(replicas).hasSizeGreaterThanOrEqualTo(2);
		replicas.forEach((name, replica) -> {
			assertThat(environment(replica)).as(name).containsEntry("SPRING_PROFILES_ACTIVE", "cluster");
			assertThat(DEPLOY.resolve(string(replica, "build.context")).resolve(SERVICE_DOCKERFILE)).as(name)
				.isRegularFile();
		});
	}

	@Test
	void startsTheJvmOfEveryReplicaAsTheImageDoes() throws IOException {
		Matcher image = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"")
			.matcher(Files.readString(Path.of("Dockerfile")));
		assertThat(image.find()).as("ENV JAVA_OPTS in the Dockerfile").isTrue();
		replicas().forEach((name, replica) -> assertThat(environment(replica).get("JAVA_OPTS")).as(name)
			.isEqualTo(image.group(1)));
	}

	@Test
	void setsOnlyEnvironmentVariablesTheApplicationReads() {
		replicas().forEach((name, replica) -> assertThat(environment(replica).keySet()).as(name)
			.isSubsetOf(ApplicationEnvironment.VARIABLES_MIRRORING_APPLICATION_PROPERTIES));
	}

	@Test
	void givesReplicasLongerThanTheirDrainTimeToStop() {
		replicas().forEach((name, replica) -> {
			long drain = seconds(environment(replica).get("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE"));
			assertThat(seconds(string(replica, "stop_grace_period"))).as(name).isGreaterThan(drain);
		});
	}

	@Test
	void balancesOverEveryReplicaOnPort8000() throws IOException {
		String nginxConf = Files.readString(DEPLOY.resolve("nginx.conf"));
		Matcher upstream = UPSTREAM.matcher(nginxConf);
		assertThat(upstream.find()).as("an upstream block in nginx.conf").isTrue();

		Set<String> hosts = new TreeSet<>();
		Matcher server = UPSTREAM_SERVER.matcher(upstream.group(1));
		while (server.find()) {
			hosts.add(server.group(1));
			assertThat(server.group(2)).as("port of %s", server.group(1)).isEqualTo("8000");
		}
		assertThat(hosts).isEqualTo(new TreeSet<>(replicas().keySet()));
	}

	@Test
	void publishesTheLoadBalancerOnPort8000() {
		Map<String, Object> nginx = map(services, "nginx");

		assertThat(list(nginx, "ports")).extracting(Object::toString).contains("8000:8000");
		assertThat(list(nginx, "volumes")).extracting(Object::toString)
			.contains("./nginx.conf:/etc/nginx/nginx.conf:ro");
		assertThat(map(nginx, "depends_on")).containsOnlyKeys(replicas().keySet());
	}

	@Test
	void publishesTheTokenIssuerOnLoopbackOnly() {
		assertThat(list(services, "oidc.ports")).extracting(Object::toString).containsExactly("127.0.0.1:8080:8080");
	}

	@Test
	void publishesNothingButTheLoadBalancerBeyondLoopback() {
		services.forEach((name, service) -> {
			if (name.equals("nginx")) {
				return;
			}
			list(service, "ports").forEach((port) -> {
				String hostAddress = (port instanceof Map<?, ?>) ? string(port, "host_ip") : port.toString();
				assertThat(hostAddress).as("published port %s of %s", port, name).startsWith("127.0.0.1");
			});
		});
	}

	@Test
	void takesPasswordsFromTheEnvironmentWithDevelopmentDefaults() {
		Map<String, String> mysql = environment(map(services, "mysql"));
		Map<String, String> redis = environment(map(services, "redis"));
		List<String> redisCommand = list(services, "redis.command").stream().map(Object::toString).toList();
		String requirePass = redisCommand.get(redisCommand.indexOf("--requirepass") + 1);

		assertThat(List.of(mysql.get("MYSQL_PASSWORD"), mysql.get("MYSQL_ROOT_PASSWORD"), requirePass))
			.allSatisfy((password) -> assertThat(password).matches(FROM_ENVIRONMENT_WITH_DEFAULT));
		assertThat(redis).containsEntry("REDISCLI_AUTH", requirePass);
		replicas().forEach((name, replica) -> assertThat(environment(replica)).as(name)
			.containsEntry("SPRING_DATASOURCE_PASSWORD", mysql.get("MYSQL_PASSWORD"))
			.containsEntry("SPRING_DATA_REDIS_PASSWORD", requirePass));
	}

	@Test
	void layersTheBusOntoARedisClusterOfThreePrimaries() throws IOException {
		Map<String, Object> layer = Yamls.parser().load(Files.readString(DEPLOY.resolve("compose.redis-cluster.yaml")));
		Map<String, Object> layered = map(layer, "services");
		List<String> nodes = List.of("redis-node-1", "redis-node-2", "redis-node-3");
		List<String> base = list(services, "redis.command").stream().map(Object::toString).toList();
		String requirePass = base.get(base.indexOf("--requirepass") + 1);
		for (String node : nodes) {
			List<String> command = list(layered, node + ".command").stream().map(Object::toString).toList();
			assertThat(command).as(node).containsSequence("--cluster-enabled", "yes");
			assertThat(command.get(command.indexOf("--requirepass") + 1)).as(node).isEqualTo(requirePass);
			assertThat(command.get(command.indexOf("--masterauth") + 1)).as("replicas of %s can sync", node)
				.isEqualTo(requirePass);
			assertThat(at(layered, node + ".healthcheck.test")).as(node).isNotNull();
		}
		assertThat(
				String.join(" ", list(layered, "redis-cluster-init.command").stream().map(Object::toString).toList()))
			.contains("--cluster create", "cluster_state:ok");
		assertThat(replicas().keySet()).allSatisfy((replica) -> {
			Map<String, String> environment = environment(map(layered, replica));
			assertThat(environment.get("SPRING_DATA_REDIS_CLUSTER_NODES")).as(replica)
				.isEqualTo(String.join(",", nodes.stream().map((node) -> node + ":6379").toList()));
			assertThat(environment.keySet()).as(replica)
				.isSubsetOf(ApplicationEnvironment.VARIABLES_MIRRORING_APPLICATION_PROPERTIES);
			assertThat(string(map(layered, replica), "depends_on.redis-cluster-init.condition"))
				.isEqualTo("service_completed_successfully");
		});
	}

	@Test
	void mountsFilesThatExist() {
		services.forEach((name, service) -> list(service, "volumes").stream()
			.map(Object::toString)
			.filter((volume) -> volume.startsWith("./"))
			.forEach((volume) -> assertThat(DEPLOY.resolve(volume.substring(0, volume.indexOf(':')))).as(name)
				.exists()));
	}

	@Test
	void issuesLocalTokensThatTheReplicasAccept() throws IOException {
		Map<String, Object> config = Yamls.parser().load(Files.readString(DEPLOY.resolve("oidc/config.json")));
		List<Object> mappings = list(config, "tokenCallbacks.0.requestMappings");
		Map<String, Map<String, Object>> claimsByClient = new LinkedHashMap<>();
		mappings.forEach((mapping) -> claimsByClient.put(string(mapping, "match"), map(mapping, "claims")));

		assertThat(claimsByClient).containsKeys("client", "master", "support", "admin");
		assertThat(claimsByClient.get("client")).containsEntry("sub", "1").containsEntry("roles", List.of("client"));
		assertThat(claimsByClient.get("master")).containsEntry("sub", "2").containsEntry("roles", List.of("master"));
		assertThat(claimsByClient.get("support")).containsEntry("sub", "7").containsEntry("roles", List.of("support"));
		assertThat(claimsByClient.get("admin")).containsEntry("sub", "9").containsEntry("roles", List.of("admin"));
		replicas().forEach((name, replica) -> {
			Map<String, String> env = environment(replica);
			String issuer = env.get("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI");
			assertThat(env).as("the replicas check the audience: %s", name).containsEntry(AUDIENCES, "chat-service");
			claimsByClient.forEach((client, claims) -> {
				assertThat(claims.get("iss")).as("iss for %s", client).isEqualTo(issuer);
				assertThat(list(claims, "aud")).as("aud for %s", client).contains(env.get(AUDIENCES));
			});
			assertThat(env.get("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI")).startsWith(issuer);
		});
	}

	/** The services built from the chat service's Dockerfile, by name. */
	private static Map<String, Object> replicas() {
		Map<String, Object> replicas = new LinkedHashMap<>();
		services.forEach((name, service) -> {
			if (SERVICE_DOCKERFILE.equals(string(service, "build.dockerfile"))) {
				replicas.put(name, service);
			}
		});
		return replicas;
	}

	/** A service's environment, from either the map or the list form. */
	private static Map<String, String> environment(Object service) {
		Map<String, String> environment = new LinkedHashMap<>();
		Object declared = at(service, "environment");
		if (declared instanceof Map<?, ?> entries) {
			entries.forEach((key, value) -> environment.put(key.toString(), (value != null) ? value.toString() : null));
		}
		else if (declared instanceof List<?> entries) {
			entries.forEach((entry) -> {
				String[] pair = entry.toString().split("=", 2);
				environment.put(pair[0], (pair.length > 1) ? pair[1] : null);
			});
		}
		return environment;
	}

	private static long seconds(String duration) {
		assertThat(duration).as("a duration in seconds or minutes").matches("\\d+[sm]");
		long amount = Long.parseLong(duration.substring(0, duration.length() - 1));
		return duration.endsWith("m") ? amount * 60 : amount;
	}

}
