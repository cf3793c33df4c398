package com.marketplace.chat.deployment;

import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reading parsed YAML (maps, lists, scalars) by dotted paths like
 * {@code spec.template.spec.containers.0}.
 */
final class Yamls {

	private Yamls() {
	}

	static Yaml parser() {
		return new Yaml(new SafeConstructor(new LoaderOptions()));
	}

	/**
	 * The node at the path, or null when any step is missing. Numeric steps index lists.
	 */
	static Object at(Object node, String path) {
		if (path.isEmpty()) {
			return node;
		}
		Object current = node;
		for (String step : path.split("\\.")) {
			if (current instanceof Map<?, ?> map) {
				current = map.get(step);
			}
			else if (current instanceof List<?> list && step.chars().allMatch(Character::isDigit)) {
				int index = Integer.parseInt(step);
				current = (index < list.size()) ? list.get(index) : null;
			}
			else {
				return null;
			}
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object node, String path) {
		Object value = at(node, path);
		return (value instanceof Map<?, ?>) ? (Map<String, Object>) value : Map.of();
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object node, String path) {
		Object value = at(node, path);
		return (value instanceof List<?>) ? (List<Object>) value : List.of();
	}

	static String string(Object node, String path) {
		Object value = at(node, path);
		return (value != null) ? value.toString() : null;
	}

}
