package com.marketplace.chat.bench;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import tools.jackson.databind.JsonNode;

/**
 * One line of results.jsonl: which workload, when it started, its figures (at the top
 * level of the line, next to these fields) or the error that stopped it, and how many
 * replicas ran it. {@link Report#JSON} writes and reads it.
 */
record Result(String workload, String started, @JsonUnwrapped Figures figures, String error, Integer replicas) {

	/**
	 * What one kind of workload measured. The numbers are boxed where the tables read
	 * them: a line of an older results.jsonl may lack any of them, and the tables show
	 * "-" for it.
	 */
	sealed interface Figures
			permits ChatWorkload.Run, CeilingWorkload.Ceiling, IdleWorkload.Memory, HistoryWorkload.Reads {

		Usage.Cpu cpu();

		/** The points of this workload's line in latency.svg; none by default. */
		default List<double[]> percentileCurveMs() {
			return null;
		}

	}

	static Result measured(String workload, String started, Figures figures, int replicas) {
		return new Result(workload, started, figures, null, replicas);
	}

	static Result failed(String workload, String started, Exception failure, int replicas) {
		return new Result(workload, started, null, String.valueOf(failure), replicas);
	}

	boolean failed() {
		return this.error != null;
	}

	/**
	 * A line read back (for {@code --report-only}): the workload's name says which
	 * figures it holds.
	 */
	static Result read(String line) {
		JsonNode node = Report.JSON.readTree(line);
		String workload = node.path("workload").asString(null);
		String error = node.path("error").asString(null);
		Class<? extends Figures> kind = (error != null || workload == null) ? null : switch (workload) {
			case "chat-small", "chat-busy", "group" -> ChatWorkload.Run.class;
			case "ceiling" -> CeilingWorkload.Ceiling.class;
			case "idle" -> IdleWorkload.Memory.class;
			case "history" -> HistoryWorkload.Reads.class;
			default -> null;
		};
		Figures figures = (kind != null) ? Report.JSON.treeToValue(node, kind) : null;
		Integer replicas = node.hasNonNull("replicas") ? node.get("replicas").asInt() : null;
		return new Result(workload, node.path("started").asString(null), figures, error, replicas);
	}

}
