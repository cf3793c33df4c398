package com.marketplace.chat.bench;

import com.marketplace.chat.testing.ProcessReplica;

/**
 * Database commits of the message store over a measured window, summed over the replicas:
 * {@code commits_per_s} and {@code messages_per_commit}. Each replica counts them in its
 * {@code chat.message.commit.group} summary (count = commits, sum = messages), read from
 * {@code /actuator/prometheus} at both ends of the window. When a replica cannot be read,
 * the figures are left out ({@link Figures#NONE}).
 */
final class Commits {

	private static final String COUNT = "chat_message_commit_group_count";

	private static final String SUM = "chat_message_commit_group_sum";

	/**
	 * The figures, written at the top level of the result that has them; both null when
	 * not measured.
	 */
	record Figures(Long commitsPerS, Double messagesPerCommit) {

		static final Figures NONE = new Figures(null, null);

		boolean measured() {
			return this.commitsPerS != null;
		}

	}

	private final Cluster cluster;

	private final long startWall;

	private final double[] start;

	private Commits(Cluster cluster) throws InterruptedException {
		this.cluster = cluster;
		this.startWall = System.nanoTime();
		this.start = read(cluster);
	}

	static Commits start(Cluster cluster) throws InterruptedException {
		return new Commits(cluster);
	}

	/**
	 * The figures since {@link #start}, or {@link Figures#NONE} when a replica could not
	 * be read.
	 */
	Figures stop() throws InterruptedException {
		double seconds = (System.nanoTime() - this.startWall) / 1e9;
		double[] end = read(this.cluster);
		if (this.start == null || end == null) {
			return Figures.NONE;
		}
		return figures(end[0] - this.start[0], end[1] - this.start[1], seconds);
	}

	static Figures figures(double commits, double messages, double seconds) {
		return new Figures(Math.round(commits / seconds), (commits > 0) ? Usage.round(messages / commits) : 0.0);
	}

	/** Commits and messages of one replica's metrics page. */
	static double[] parse(String prometheus) {
		return new double[] { Prometheus.sum(prometheus, COUNT, null), Prometheus.sum(prometheus, SUM, null) };
	}

	/** Commits and messages so far over all replicas, or null when one cannot be read. */
	private static double[] read(Cluster cluster) throws InterruptedException {
		double[] total = new double[2];
		for (ProcessReplica replica : cluster.replicas()) {
			double[] one;
			try {
				one = parse(replica.prometheus());
			}
			catch (RuntimeException ex) {
				System.out.println("  no commit figures: " + replica.name() + ": " + ex);
				return null;
			}
			total[0] += one[0];
			total[1] += one[1];
		}
		return total;
	}

}
