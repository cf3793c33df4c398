package com.marketplace.chat.bench;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * chat-small's shape at rising rates (times {@code --ceiling-factor}) until p99 reaches
 * the limit or anything is lost or left outstanding, then up to two bisections between
 * the last pass and the failure (or halving, when the first rate already fails). The
 * ceiling is the highest passing rate.
 */
final class CeilingWorkload {

	/**
	 * One rate tried, with its verdict; the ceiling's line lists them without their
	 * curves.
	 */
	record Step(Double rate, Boolean pass, Double p99Ms, Latency latencyMs, Long lost, Long outstanding, Boolean clean,
			ChatWorkload.SendLag sendLagMs, Usage.Cpu cpu, @JsonUnwrapped Commits.Figures commits,
			List<double[]> percentileCurveMs) {

		Step brief() {
			return new Step(this.rate, this.pass, this.p99Ms, this.latencyMs, this.lost, this.outstanding, this.clean,
					this.sendLagMs, this.cpu, this.commits, null);
		}

	}

	/**
	 * results.jsonl's line of the ceiling: the highest passing rate (0 if none passed)
	 * and the first failing one (-1 if none failed), the figures of the passing step at
	 * the ceiling (absent if none passed), and every step.
	 */
	record Ceiling(String description, Double ceilingRate, Double firstFailingRate, Latency latencyMs, Usage.Cpu cpu,
			@JsonUnwrapped Commits.Figures commits, List<double[]> percentileCurveMs,
			List<Step> steps) implements Result.Figures {
	}

	private final Bench bench;

	private final ChatWorkload.Shape shape;

	CeilingWorkload(Bench bench, ChatWorkload.Shape shape) {
		this.bench = bench;
		this.shape = shape;
	}

	Ceiling run() throws Exception {
		Options options = this.bench.options;
		ChatWorkload workload = new ChatWorkload(this.bench, this.shape);
		List<Step> steps = new ArrayList<>();
		double best = 0;
		double failedAt = -1;
		Step bestStep = null;
		try {
			workload.setUp();
			double rate = options.ceilingStart;
			int bisections = 0;
			while (true) {
				Step step = step(workload, rate);
				steps.add(step.brief());
				if (step.pass()) {
					best = rate;
					bestStep = step;
				}
				else {
					failedAt = rate;
				}
				if (failedAt < 0) {
					// still rising
					rate = Math.round(rate * options.ceilingFactor);
					if (rate > options.ceilingMax) {
						break;
					}
				}
				else if (best == 0) {
					// even the first rate failed: halve until one passes
					rate = Math.round(rate / 2);
					if (rate < 5) {
						break;
					}
				}
				else {
					// between a pass and a failure: at most two halvings of the interval
					if (bisections++ >= 2 || failedAt - best <= best * 0.1) {
						break;
					}
					rate = Math.round((best + failedAt) / 2);
				}
			}
		}
		finally {
			workload.tearDown();
		}
		String description = "chat-small's shape at rising rates; the highest with p99 < " + options.p99LimitMs
				+ " ms and nothing lost";
		if (bestStep == null) {
			return new Ceiling(description, best, failedAt, null, null, Commits.Figures.NONE, null, steps);
		}
		return new Ceiling(description, best, failedAt, bestStep.latencyMs(), bestStep.cpu(), bestStep.commits(),
				bestStep.percentileCurveMs(), steps);
	}

	private Step step(ChatWorkload workload, double rate) throws Exception {
		Options options = this.bench.options;
		ChatWorkload.Run run = workload.run(rate, options.ceilingWarmup, options.ceilingStepSeconds);
		double p99 = run.latencyMs().p99();
		boolean clean = run.ledger().clean();
		boolean pass = clean && p99 < options.p99LimitMs;
		Step step = new Step(rate, pass, p99, run.latencyMs(), run.ledger().lost(), run.ledger().outstanding(), clean,
				run.sendLagMs(), run.cpu(), run.commits(), run.percentileCurveMs());
		System.out.printf("  ceiling step %.0f msg/s: p99 %.1f ms, lost %s, clean %s -> %s; %s; cpu %s%n", rate, p99,
				step.lost(), clean, pass ? "pass" : "FAIL", Report.commits(step.commits()), Report.cores(run.cpu()));
		this.bench.settle();
		return step;
	}

}
