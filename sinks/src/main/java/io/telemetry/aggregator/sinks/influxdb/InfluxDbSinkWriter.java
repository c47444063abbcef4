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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.throwable.FatalExceptionClassifier;
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
 * done, retry later, rejected and fatal (see {@link InfluxDbSink}): {@link #FATAL} names the
 * answers that fail the job, Flink's rate limiting narrows the requests in flight while InfluxDB
 * refuses, and a retried batch waits for {@code Retry-After} or a pause that doubles with each
 * consecutive refusal. Metrics: {@code sink_retries}, {@code sink_errors}, {@code
 * sink_rejected_points}.
 */
final class InfluxDbSinkWriter extends AsyncSinkWriter<WindowAggregate, String> {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxDbSinkWriter.class);
    private static final long FIRST_PAUSE_MS = 100;
    private static final long MAX_PAUSE_MS = 10_000;

    /**
     * Answers retrying cannot fix: a refused token (401), a missing permission (403), a missing
     * bucket or database (404), and any other answer that is neither success, 400 (rejected points,
     * counted), 429 nor 5xx. Everything else (429, 5xx, a failed connection) is retried.
     */
    static final FatalExceptionClassifier FATAL =
            new FatalExceptionClassifier(
                    e -> e instanceof InfluxDbAnswer && !((InfluxDbAnswer) e).isRetryable(),
                    e -> new InfluxDbException(e.getMessage()));

    private final InfluxDbTarget target;
    private final HttpClient http;
    private final Counter retryCount;
    private final Counter errorCount;
    private final Counter rejectedPoints;

    /** Refusals since the last accepted batch; written from the HTTP client's threads. */
    private final AtomicInteger refusals = new AtomicInteger();

    InfluxDbSinkWriter(
            ElementConverter<WindowAggregate, String> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration config,
            Collection<BufferedRequestState<String>> state,
            InfluxDbTarget target) {
        super(converter, context, config, state);
        this.target = target;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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
                                refused(points, result, failure, -1);
                            } else {
                                answered(response, points, result);
                            }
                        });
    }

    private void answered(
            HttpResponse<String> response, List<String> points, ResultHandler<String> result) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            refusals.set(0);
            result.complete();
            return;
        }
        String body = response.body() == null ? "" : response.body().trim();
        if (status == 400) {
            errorCount.inc();
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
        long retryAfter =
                response.headers()
                        .firstValue("Retry-After")
                        .map(InfluxDbSinkWriter::seconds)
                        .orElse(-1L);
        refused(
                points,
                result,
                new InfluxDbAnswer(
                        status, "InfluxDB at " + target + " answered " + status + ": " + body),
                retryAfter);
    }

    /** A failed request: fails the job if {@link #FATAL} says so, else retries it after a pause. */
    private void refused(
            List<String> points,
            ResultHandler<String> result,
            Throwable failure,
            long retryAfterSeconds) {
        if (!FATAL.isFatal(failure, result::completeExceptionally)) {
            errorCount.inc();
            return;
        }
        retryCount.inc();
        int refused = refusals.getAndIncrement();
        long pause =
                retryAfterSeconds >= 0
                        ? retryAfterSeconds * 1000
                        : Math.min(FIRST_PAUSE_MS << Math.min(refused, 20), MAX_PAUSE_MS);
        LOG.warn(
                "Writing {} points to InfluxDB at {} again in {} ms: {}",
                points.size(),
                target,
                pause,
                failure instanceof InfluxDbAnswer
                        ? failure.getMessage()
                        : "request failed: " + failure);
        CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS)
                .execute(() -> result.retryForEntries(points));
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

    /** An answer other than success or 400, with its status. */
    static final class InfluxDbAnswer extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        InfluxDbAnswer(int status, String message) {
            super(message);
            this.status = status;
        }

        boolean isRetryable() {
            return status == 429 || status >= 500;
        }
    }

    /** A write InfluxDB refused for a reason retrying cannot fix. */
    static final class InfluxDbException extends IOException {
        private static final long serialVersionUID = 1L;

        InfluxDbException(String message) {
            super(message);
        }
    }
}
