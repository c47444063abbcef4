package io.telemetry.aggregator.sinks.influxdb;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of line-protocol points with one HTTP request each, and sorts the answers into
 * done, retry later, rejected and fatal (see {@link InfluxDbSink}). Metrics: {@code sink_retries},
 * {@code sink_errors}, {@code sink_rejected_points}.
 */
final class InfluxDbSinkWriter extends AsyncSinkWriter<WindowAggregate, String> {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxDbSinkWriter.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    private final InfluxDbTarget target;
    private final HttpClient http;
    private final ScheduledExecutorService retries;
    private final Counter retryCount;
    private final Counter errorCount;
    private final Counter rejectedPoints;
    private volatile long backoffMs = 100;

    InfluxDbSinkWriter(
            ElementConverter<WindowAggregate, String> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration config,
            Collection<BufferedRequestState<String>> state,
            InfluxDbTarget target) {
        super(converter, context, config, state);
        this.target = target;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.retries =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "influxdb-sink-retries");
                            t.setDaemon(true);
                            return t;
                        });
        this.retryCount = context.metricGroup().counter("sink_retries");
        this.errorCount = context.metricGroup().counter("sink_errors");
        this.rejectedPoints = context.metricGroup().counter("sink_rejected_points");
    }

    @Override
    protected void submitRequestEntries(List<String> points, ResultHandler<String> result) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(target.writeUri())
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "text/plain; charset=utf-8")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        LineProtocol.body(points), StandardCharsets.UTF_8));
        if (target.authorization() != null) {
            request.header("Authorization", target.authorization());
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                        (response, failure) -> {
                            if (failure != null) {
                                retryLater(
                                        points,
                                        result,
                                        -1,
                                        "request failed: " + failure.getMessage());
                            } else {
                                handle(response, points, result);
                            }
                        });
    }

    private void handle(
            HttpResponse<String> response, List<String> points, ResultHandler<String> result) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            backoffMs = 100;
            result.complete();
            return;
        }
        String body = response.body() == null ? "" : response.body().trim();
        if (status == 429 || status >= 500) {
            long retryAfter =
                    response.headers()
                            .firstValue("Retry-After")
                            .map(InfluxDbSinkWriter::seconds)
                            .orElse(-1L);
            retryLater(points, result, retryAfter, "InfluxDB answered " + status + ": " + body);
            return;
        }
        errorCount.inc();
        if (status == 400) {
            rejectedPoints.inc(points.size());
            LOG.error(
                    "InfluxDB at {} rejected a batch of {} points (400): {}; first point: {}",
                    target,
                    points.size(),
                    body,
                    points.get(0));
            result.complete();
            return;
        }
        result.completeExceptionally(
                new InfluxDbException(
                        "InfluxDB at " + target + " answered " + status + ": " + body));
    }

    private void retryLater(
            List<String> points, ResultHandler<String> result, long retryAfterSeconds, String why) {
        retryCount.inc();
        long delay = retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        LOG.warn(
                "Writing {} points to InfluxDB at {} again in {} ms: {}",
                points.size(),
                target,
                delay,
                why);
        retries.schedule(() -> result.retryForEntries(points), delay, TimeUnit.MILLISECONDS);
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    protected long getSizeInBytes(String point) {
        return point.length();
    }

    @Override
    public void close() {
        retries.shutdownNow();
        super.close();
    }

    /** A write InfluxDB refused for a reason retrying cannot fix. */
    static final class InfluxDbException extends IOException {
        private static final long serialVersionUID = 1L;

        InfluxDbException(String message) {
            super(message);
        }
    }
}
