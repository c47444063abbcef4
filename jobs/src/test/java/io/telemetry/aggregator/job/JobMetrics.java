package io.telemetry.aggregator.job;

import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * The metrics of the jobs on a MiniCluster, as its metric reporters see them: register {@link
 * #clusterConfiguration()} with the MiniCluster, then read sums over a job's subtasks.
 */
final class JobMetrics {

    private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();

    /** The MiniCluster's configuration with this reporter. */
    Configuration clusterConfiguration() {
        return reporter.addToConfiguration(new Configuration());
    }

    /**
     * A counter or numeric gauge summed over the job's subtasks; only those of operators (or tasks)
     * whose name contains {@code operator}, or job-level ones when it is null. 0 before any is
     * registered.
     */
    long sum(JobID job, String operator, String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : reporter.findMetrics(job, name).entrySet()) {
            String id = e.getKey();
            if (!id.endsWith("." + name)) {
                continue;
            }
            if (operator == null ? id.contains(".taskmanager.") : !id.contains(operator)) {
                continue;
            }
            Metric m = e.getValue();
            if (m instanceof Counter) {
                sum += ((Counter) m).getCount();
            } else if (m instanceof Gauge && ((Gauge<?>) m).getValue() instanceof Number) {
                sum += ((Number) ((Gauge<?>) m).getValue()).longValue();
            }
        }
        return sum;
    }
}
