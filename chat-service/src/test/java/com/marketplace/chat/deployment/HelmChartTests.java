package com.marketplace.chat.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static com.marketplace.chat.deployment.Yamls.at;
import static com.marketplace.chat.deployment.Yamls.list;
import static com.marketplace.chat.deployment.Yamls.map;
import static com.marketplace.chat.deployment.Yamls.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lints helm/chat-service and renders it with its default values and with each
 * {@code ci/*-values.yaml}, then checks the manifests against what the application needs:
 * enough replicas, probes on its actuator paths, only settings it reads, time to drain, a
 * locked-down container, and optional parts only when switched on. Runs the Helm library
 * in-process (helm-java); no cluster. The issuer has no default (the chart refuses to
 * render without one), so the default values are rendered with {@link #ISSUER} as the one
 * value set.
 */
class HelmChartTests {

	private static final Path CHART = Path.of("..", "helm", "chat-service");

	private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

	private static final String ISSUER = "https://id.example.com/realms/marketplace";

	private static final String INGRESS_NGINX = "nginx.ingress.kubernetes.io/";

	private static List<Scenario> scenarios;

	/** The default values plus one scenario per ci values file, rendered once. */
	static synchronized List<Scenario> scenarios() throws IOException {
		if (scenarios == null) {
			List<Scenario> rendered = new ArrayList<>();
			rendered.add(Scenario.render("default values", null, Map.of("oidc.issuerUri", ISSUER)));
			try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
				files.filter((file) -> file.getFileName().toString().endsWith("-values.yaml"))
					.sorted()
					.forEach((file) -> rendered.add(Scenario.render(file.getFileName().toString(), file, Map.of())));
			}
			scenarios = List.copyOf(rendered);
		}
		return scenarios;
	}

	/**
	 * helm-java lints with the chart's own values only, so a copy of the chart gets the
	 * issuer there.
	 */
	@Test
	void passesHelmLintInStrictMode(@TempDir Path dir) throws IOException {
		Path chart = dir.resolve("chat-service");
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path file : files.toList()) {
				Path target = chart.resolve(CHART.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
		Map<String, Object> values = Scenario.load(CHART.resolve("values.yaml"));
		map(values, "oidc").put("issuerUri", ISSUER);
		Files.writeString(chart.resolve("values.yaml"), Yamls.parser().dump(values));

		LintResult result = new Helm(chart).lint().strict().call();

		assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
	}

	@Test
	void hasACiValuesFileForEachOption() throws IOException {
		assertThat(scenarios()).extracting(Scenario::name)
			.contains("ingress-values.yaml", "ingress-access-log-values.yaml", "servicemonitor-values.yaml",
					"networkpolicy-values.yaml", "existing-secret-values.yaml", "any-audience-values.yaml",
					"hpa-custom-metric-values.yaml", "hpa-disabled-values.yaml", "redis-cluster-values.yaml");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void pointsAtOneRedisOrAtARedisClusterNeverBoth(Scenario scenario) {
		List<String> names = scenario.env().stream().map((env) -> string(env, "name")).toList();
		String nodes = scenario.value("redis.clusterNodes");
		if (nodes.isEmpty()) {
			assertThat(names).contains("SPRING_DATA_REDIS_HOST", "SPRING_DATA_REDIS_PORT")
				.doesNotContain("SPRING_DATA_REDIS_CLUSTER_NODES");
		}
		else {
			assertThat(scenario.envValue("SPRING_DATA_REDIS_CLUSTER_NODES")).isEqualTo(nodes);
			assertThat(names).doesNotContain("SPRING_DATA_REDIS_HOST", "SPRING_DATA_REDIS_PORT");
		}
	}

	@Test
	void leavesOptionalPartsOffByDefault() throws IOException {
		Scenario defaults = scenarios().get(0);

		assertThat(defaults.all("Ingress")).isEmpty();
		assertThat(defaults.all("ServiceMonitor")).isEmpty();
		assertThat(defaults.all("NetworkPolicy")).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void runsAtLeastTwoReplicas(Scenario scenario) {
		Map<String, Object> deployment = scenario.only("Deployment");
		List<Map<String, Object>> autoscalers = scenario.all("HorizontalPodAutoscaler");

		if (autoscalers.isEmpty()) {
			assertThat((Integer) at(deployment, "spec.replicas")).isGreaterThanOrEqualTo(2);
		}
		else {
			assertThat(at(deployment, "spec.replicas")).as("replicas are the HPA's to set").isNull();
			assertThat((Integer) at(autoscalers.get(0), "spec.minReplicas")).isGreaterThanOrEqualTo(2);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void rollsOutWithoutTakingAReplicaAway(Scenario scenario) {
		Map<String, Object> strategy = map(scenario.only("Deployment"), "spec.strategy");

		assertThat(strategy.get("type")).isEqualTo("RollingUpdate");
		assertThat(at(strategy, "rollingUpdate.maxUnavailable")).isEqualTo(0);
		assertThat((Integer) at(strategy, "rollingUpdate.maxSurge")).isPositive();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void probesTheActuatorHealthGroupsOnTheServicePort(Scenario scenario) {
		Map<String, Object> container = scenario.container();

		assertThat(string(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(string(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(string(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(scenario.containerPort(at(container, probe + ".httpGet.port"))).as(probe).isEqualTo(8000);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void setsOnlyEnvironmentVariablesTheApplicationReads(Scenario scenario) {
		List<String> names = scenario.env().stream().map((env) -> string(env, "name")).toList();

		assertThat(names).doesNotHaveDuplicates()
			.isSubsetOf(ApplicationEnvironment.VARIABLES_MIRRORING_APPLICATION_PROPERTIES);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void runsTheClusterProfile(Scenario scenario) {
		assertThat(scenario.envValue("SPRING_PROFILES_ACTIVE")).isEqualTo("cluster");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void givesReplicasTimeToSleepAndDrainBeforeTheyAreKilled(Scenario scenario) {
		List<Object> preStop = list(scenario.container(), "lifecycle.preStop.exec.command");
		long preStopSeconds = Long.parseLong(preStop.get(preStop.size() - 1).toString());
		long drainSeconds = seconds(scenario.envValue("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE"));
		Integer grace = (Integer) at(scenario.only("Deployment"), "spec.template.spec.terminationGracePeriodSeconds");

		assertThat(preStop.get(0)).isEqualTo("sleep");
		assertThat(preStopSeconds).isPositive();
		assertThat(grace).isGreaterThan((int) (preStopSeconds + drainSeconds));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void runsAsNonRootOnAReadOnlyFilesystemWithoutCapabilities(Scenario scenario) {
		Map<String, Object> pod = map(scenario.only("Deployment"), "spec.template.spec");
		Map<String, Object> container = scenario.container();

		assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
		assertThat(at(container, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(list(container, "securityContext.capabilities.drop")).containsExactly("ALL");
		assertThat(list(container, "volumeMounts")).anySatisfy((mount) -> {
			assertThat(string(mount, "mountPath")).isEqualTo("/tmp");
			assertThat(list(pod, "volumes")).anySatisfy((volume) -> {
				assertThat(string(volume, "name")).isEqualTo(string(mount, "name"));
				assertThat(at(volume, "emptyDir")).isNotNull();
			});
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void keepsReplicasUpWithADisruptionBudget(Scenario scenario) {
		Map<String, Object> budget = scenario.only("PodDisruptionBudget");

		assertThat(scenario.podLabels()).containsAllEntriesOf(map(budget, "spec.selector.matchLabels"));
		Object maxUnavailable = at(budget, "spec.maxUnavailable");
		Object minAvailable = at(budget, "spec.minAvailable");
		assertThat(maxUnavailable != null || minAvailable != null).isTrue();
		if (maxUnavailable != null) {
			assertThat(maxUnavailable).isEqualTo(1);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void routesTheServiceToTheReplicasHttpPort(Scenario scenario) {
		Map<String, Object> service = scenario.only("Service");

		assertThat(scenario.podLabels()).containsAllEntriesOf(map(service, "spec.selector"));
		assertThat(scenario.containerPort(at(service, "spec.ports.0.targetPort"))).isEqualTo(8000);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void autoscalesTheDeploymentUnlessDisabled(Scenario scenario) {
		List<Map<String, Object>> autoscalers = scenario.all("HorizontalPodAutoscaler");
		if (!scenario.enables("autoscaling.enabled")) {
			assertThat(autoscalers).isEmpty();
			return;
		}
		Map<String, Object> hpa = autoscalers.get(0);
		assertThat(autoscalers).hasSize(1);
		assertThat(string(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
		assertThat(string(hpa, "spec.scaleTargetRef.name")).isEqualTo(scenario.deploymentName());
		assertThat((Integer) at(hpa, "spec.maxReplicas")).isGreaterThanOrEqualTo((Integer) at(hpa, "spec.minReplicas"));
		assertThat(list(hpa, "spec.metrics"))
			.anySatisfy((metric) -> assertThat(string(metric, "resource.name")).isEqualTo("cpu"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void scalesOnOpenConnectionsOnlyWhenTheCustomMetricIsEnabled(Scenario scenario) {
		List<Object> podsMetrics = scenario.all("HorizontalPodAutoscaler")
			.stream()
			.flatMap((hpa) -> list(hpa, "spec.metrics").stream())
			.filter((metric) -> "Pods".equals(string(metric, "type")))
			.toList();

		if (scenario.enables("autoscaling.enabled") && scenario.enables("autoscaling.connections.enabled")) {
			assertThat(podsMetrics).singleElement().satisfies((metric) -> {
				assertThat(string(metric, "pods.metric.name")).isEqualTo("chat_ws_connections");
				assertThat(string(metric, "pods.target.type")).isEqualTo("AverageValue");
			});
		}
		else {
			assertThat(podsMetrics).isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void keepsWebSocketsOpenThroughTheIngressOnlyWhenEnabled(Scenario scenario) {
		List<Map<String, Object>> ingresses = scenario.all("Ingress");
		if (!scenario.enables("ingress.enabled")) {
			assertThat(ingresses).isEmpty();
			return;
		}
		Map<String, Object> ingress = ingresses.get(0);
		Map<String, Object> annotations = map(ingress, "metadata.annotations");
		assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
		assertThat(string(ingress, "spec.rules.0.http.paths.0.backend.service.name"))
			.isEqualTo(string(scenario.only("Service"), "metadata.name"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void keepsTokensOutOfTheIngressAccessLogAndLimitsEachClientAddress(Scenario scenario) {
		if (!scenario.enables("ingress.enabled")) {
			return;
		}
		Map<String, Object> annotations = map(scenario.only("Ingress"), "metadata.annotations");

		if (scenario.enables("ingress.accessLog")) {
			assertThat(annotations).doesNotContainKey(INGRESS_NGINX + "enable-access-log");
		}
		else {
			assertThat(annotations).containsEntry(INGRESS_NGINX + "enable-access-log", "false");
		}
		assertThat(annotations.get(INGRESS_NGINX + "limit-connections"))
			.isEqualTo(nullIfEmpty(scenario.value("ingress.connectionsPerAddress")));
		assertThat(annotations.get(INGRESS_NGINX + "limit-rps"))
			.isEqualTo(nullIfEmpty(scenario.value("ingress.requestsPerSecondPerAddress")));
	}

	@Test
	void turnsTheIngressAccessLogOffAndLimitsEachClientAddressByDefault() {
		Scenario scenario = Scenario.render("ingress on", null,
				Map.of("oidc.issuerUri", ISSUER, "ingress.enabled", true));

		assertThat(map(scenario.only("Ingress"), "metadata.annotations"))
			.containsEntry(INGRESS_NGINX + "enable-access-log", "false")
			.containsEntry(INGRESS_NGINX + "limit-connections", "100")
			.containsEntry(INGRESS_NGINX + "limit-rps", "20");
	}

	@Test
	void letsIngressAnnotationsOverrideTheChartsOwn(@TempDir Path dir) throws IOException {
		Path values = Files.writeString(dir.resolve("values.yaml"), """
				ingress:
				  enabled: true
				  annotations:
				    nginx.ingress.kubernetes.io/limit-connections: "500"
				    nginx.ingress.kubernetes.io/proxy-body-size: 1m
				""");

		Scenario scenario = Scenario.render("ingress annotations", values, Map.of("oidc.issuerUri", ISSUER));

		assertThat(map(scenario.only("Ingress"), "metadata.annotations"))
			.containsEntry(INGRESS_NGINX + "limit-connections", "500")
			.containsEntry(INGRESS_NGINX + "proxy-body-size", "1m")
			.containsEntry(INGRESS_NGINX + "enable-access-log", "false");
	}

	@Test
	void refusesToRenderWithoutAnIssuer() {
		assertThatThrownBy(() -> template().call()).hasMessageContaining("set oidc.issuerUri")
			.hasMessageContaining("oidc.jwkSetUri");
	}

	@Test
	void rendersWithAJwkSetUriInsteadOfAnIssuer() {
		String jwks = ISSUER + "/protocol/openid-connect/certs";

		Scenario scenario = Scenario.render("JWKS only", null, Map.of("oidc.jwkSetUri", jwks));

		assertThat(scenario.envValue("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI")).isEqualTo(jwks);
		assertThat(scenario.envEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI")).isNull();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void checksTheTokensAudienceUnlessAnyIsExplicitlyAllowed(Scenario scenario) {
		String audiences = scenario.envValue("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES");

		if (scenario.enables("oidc.allowAnyAudience")) {
			assertThat(scenario.envValue("CHAT_SECURITY_ALLOW_ANY_AUDIENCE")).isEqualTo("true");
			assertThat(audiences).isNull();
		}
		else {
			assertThat(scenario.envEntry("CHAT_SECURITY_ALLOW_ANY_AUDIENCE")).isNull();
			assertThat(audiences).isNotBlank();
		}
	}

	@Test
	void acceptsOnlyTokensForTheChatServiceByDefault() throws IOException {
		Scenario defaults = scenarios().get(0);

		assertThat(defaults.envValue("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES")).isEqualTo("chat-service");
	}

	@Test
	void refusesAnEmptyAudienceListUnlessAnyAudienceIsAllowed(@TempDir Path dir) throws IOException {
		Path values = Files.writeString(dir.resolve("values.yaml"), """
				oidc:
				  audiences: []
				""");

		assertThatThrownBy(() -> template().withValuesFile(values).set("oidc.issuerUri", ISSUER).call())
			.hasMessageContaining("oidc.audiences is empty")
			.hasMessageContaining("oidc.allowAnyAudience=true")
			.hasMessageContaining("another application would be accepted");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void refusesWebSocketsBeforeTomcatStopsAcceptingConnections(Scenario scenario) {
		int webSockets = Integer.parseInt(scenario.envValue("CHAT_WS_MAX_CONNECTIONS"));
		int perUser = Integer.parseInt(scenario.envValue("CHAT_WS_MAX_CONNECTIONS_PER_USER"));

		assertThat(Integer.parseInt(scenario.envValue("SERVER_TOMCAT_MAX_CONNECTIONS"))).isGreaterThan(webSockets);
		assertThat(perUser).isPositive().isLessThanOrEqualTo(webSockets);
	}

	@Test
	void capsTomcatAt25000AndEachUserAt50ConnectionsPerReplicaByDefault() throws IOException {
		Scenario defaults = scenarios().get(0);

		assertThat(defaults.envValue("SERVER_TOMCAT_MAX_CONNECTIONS")).isEqualTo("25000");
		assertThat(defaults.envValue("CHAT_WS_MAX_CONNECTIONS_PER_USER")).isEqualTo("50");
	}

	@Test
	void refusesMoreWebSocketsThanTomcatAccepts() {
		assertThatThrownBy(() -> template().set("oidc.issuerUri", ISSUER).set("websocket.maxConnections", 25000).call())
			.hasMessageContaining(
					"websocket.maxConnections (25000) must be below websocket.serverMaxConnections (25000)");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void createsAServiceMonitorOnlyWhenEnabled(Scenario scenario) {
		List<Map<String, Object>> monitors = scenario.all("ServiceMonitor");
		if (!scenario.enables("serviceMonitor.enabled")) {
			assertThat(monitors).isEmpty();
			return;
		}
		assertThat(monitors).singleElement().satisfies((monitor) -> {
			assertThat(string(monitor, "spec.endpoints.0.path")).isEqualTo("/actuator/prometheus");
			assertThat(string(monitor, "spec.endpoints.0.port")).isEqualTo("http");
			assertThat(map(scenario.only("Service"), "metadata.labels"))
				.containsAllEntriesOf(map(monitor, "spec.selector.matchLabels"));
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void createsANetworkPolicyOnlyWhenEnabled(Scenario scenario) {
		List<Map<String, Object>> policies = scenario.all("NetworkPolicy");
		if (!scenario.enables("networkPolicy.enabled")) {
			assertThat(policies).isEmpty();
			return;
		}
		assertThat(policies).singleElement().satisfies((policy) -> {
			assertThat(scenario.podLabels()).containsAllEntriesOf(map(policy, "spec.podSelector.matchLabels"));
			assertThat(scenario.containerPort(at(policy, "spec.ingress.0.ports.0.port"))).isEqualTo(8000);
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("scenarios")
	void takesPasswordsFromTheChartSecretOrTheExistingOne(Scenario scenario) {
		String existingDatabaseSecret = scenario.value("database.existingSecret");
		List<Map<String, Object>> secrets = scenario.all("Secret");

		for (Map<String, Object> env : scenario.env()) {
			Map<String, Object> ref = map(env, "valueFrom.secretKeyRef");
			if (ref.isEmpty()) {
				continue;
			}
			String secretName = string(ref, "name");
			boolean external = secretName.equals(existingDatabaseSecret)
					|| secretName.equals(scenario.value("redis.existingSecret"));
			if (!external) {
				assertThat(secrets).as("Secret %s for %s", secretName, env.get("name")).anySatisfy((secret) -> {
					assertThat(string(secret, "metadata.name")).isEqualTo(secretName);
					assertThat(map(secret, "data")).containsKey(string(ref, "key"));
				});
			}
		}
		assertThat(scenario.envEntry("SPRING_DATASOURCE_PASSWORD"))
			.extracting((env) -> at(env, "valueFrom.secretKeyRef"))
			.isNotNull();
		if (!existingDatabaseSecret.isEmpty() && !scenario.value("redis.existingSecret").isEmpty()) {
			assertThat(secrets).as("no chart Secret when both passwords are external").isEmpty();
		}
	}

	@Test
	void refusesAGracePeriodThatDoesNotCoverPreStopAndDrain() {
		assertThatThrownBy(
				() -> template().set("oidc.issuerUri", ISSUER).set("terminationGracePeriodSeconds", 30).call())
			.hasMessageContaining("terminationGracePeriodSeconds");
	}

	@Test
	void rejectsValuesTheChartDoesNotKnow() {
		assertThatThrownBy(() -> template().set("oidc.issuerUri", ISSUER).set("replicas", 3).call())
			.hasMessageContaining("replicas");
	}

	private static TemplateCommand template() {
		return new Helm(CHART).template().withName("chat").withNamespace("chat");
	}

	private static String nullIfEmpty(String value) {
		return value.isEmpty() ? null : value;
	}

	private static long seconds(String duration) {
		Matcher matcher = DURATION.matcher(Objects.requireNonNull(duration, "drain time"));
		assertThat(matcher.matches()).as("duration %s", duration).isTrue();
		long amount = Long.parseLong(matcher.group(1));
		return switch (matcher.group(2)) {
			case "ms" -> amount / 1000;
			case "m" -> amount * 60;
			case "h" -> amount * 3600;
			default -> amount;
		};
	}

	/**
	 * One rendering of the chart: the values it was given (a values file, then
	 * {@code --set} ones by dotted path) and the manifests that came out.
	 */
	record Scenario(String name, Map<String, Object> defaults, Map<String, Object> overrides, Map<String, Object> sets,
			List<Map<String, Object>> manifests) {

		@SuppressWarnings("unchecked")
		static Scenario render(String name, Path valuesFile, Map<String, Object> sets) {
			TemplateCommand template = template();
			if (valuesFile != null) {
				template.withValuesFile(valuesFile);
			}
			sets.forEach(template::set);
			String yaml = template.call();
			List<Map<String, Object>> manifests = new ArrayList<>();
			for (Object document : Yamls.parser().loadAll(yaml)) {
				if (document instanceof Map<?, ?> manifest) {
					manifests.add((Map<String, Object>) manifest);
				}
			}
			return new Scenario(name, load(CHART.resolve("values.yaml")),
					(valuesFile != null) ? load(valuesFile) : Map.of(), Map.copyOf(sets), List.copyOf(manifests));
		}

		static Map<String, Object> load(Path file) {
			try {
				Map<String, Object> values = Yamls.parser().load(Files.readString(file));
				return (values != null) ? values : new LinkedHashMap<>();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		List<Map<String, Object>> all(String kind) {
			return this.manifests.stream().filter((manifest) -> kind.equals(manifest.get("kind"))).toList();
		}

		Map<String, Object> only(String kind) {
			List<Map<String, Object>> found = all(kind);
			assertThat(found).as("%s in %s", kind, this.name).hasSize(1);
			return found.get(0);
		}

		/**
		 * The value as the chart sees it: the one set, else the values file's (a null
		 * there removes the default), else the default; "" when unset.
		 */
		String value(String path) {
			Object value;
			if (this.sets.containsKey(path)) {
				value = this.sets.get(path);
			}
			else if (declares(this.overrides, path)) {
				value = at(this.overrides, path);
			}
			else {
				value = at(this.defaults, path);
			}
			return (value != null) ? value.toString() : "";
		}

		private static boolean declares(Map<String, Object> values, String path) {
			int last = path.lastIndexOf('.');
			Object parent = (last < 0) ? values : at(values, path.substring(0, last));
			return (parent instanceof Map<?, ?> map) && map.containsKey(path.substring(last + 1));
		}

		boolean enables(String path) {
			return Boolean.parseBoolean(value(path));
		}

		String deploymentName() {
			return string(only("Deployment"), "metadata.name");
		}

		Map<String, Object> podLabels() {
			return map(only("Deployment"), "spec.template.metadata.labels");
		}

		Map<String, Object> container() {
			List<Object> containers = list(only("Deployment"), "spec.template.spec.containers");
			assertThat(containers).hasSize(1);
			return map(containers.get(0), "");
		}

		/** A port given by number or by the container port's name, as a number. */
		Integer containerPort(Object port) {
			if (port instanceof Integer number) {
				return number;
			}
			return list(container(), "ports").stream()
				.filter((candidate) -> Objects.equals(string(candidate, "name"), port))
				.map((candidate) -> (Integer) at(candidate, "containerPort"))
				.findFirst()
				.orElse(null);
		}

		@SuppressWarnings("unchecked")
		List<Map<String, Object>> env() {
			return list(container(), "env").stream().map((env) -> (Map<String, Object>) env).toList();
		}

		Map<String, Object> envEntry(String name) {
			return env().stream().filter((env) -> name.equals(env.get("name"))).findFirst().orElse(null);
		}

		String envValue(String name) {
			Map<String, Object> env = envEntry(name);
			return (env != null) ? string(env, "value") : null;
		}

		@Override
		public String toString() {
			return this.name;
		}
	}

}
