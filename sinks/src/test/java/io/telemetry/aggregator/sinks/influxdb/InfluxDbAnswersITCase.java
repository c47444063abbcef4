package io.telemetry.aggregator.sinks.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.telemetry.aggregator.sinks.SinkTestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How the InfluxDB sink treats each kind of answer, against a real HTTP server (the JDK's) that
 * answers the write requests with the statuses a test scripts: what it retries, when, and what it
 * counts or fails the job with.
 */
class InfluxDbAnswersITCase {

    /** A scripted answer: status, Retry-After header (or null), body. */
    private record Answer(int status, String retryAfter, String body) {}

    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Long> requestMillis = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    /** One cluster for the class, whose reporter keeps the writers' metrics after the jobs end. */
    @RegisterExtension
    static final MiniClusterExtension FLINK = SinkTestData.clusterWithReporter(REPORTER);

    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/write",
                exchange -> {
                    try (InputStream in = exchange.getRequestBody()) {
                        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        Answer answer;
                        synchronized (this) {
                            requestMillis.add(System.currentTimeMillis());
                            bodies.add(body);
                            answer = script.isEmpty() ? new Answer(204, null, "") : script.poll();
                        }
                        if (answer.retryAfter() != null) {
                            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
                        }
                        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(
                                answer.status(), bytes.length == 0 ? -1 : bytes.length);
                        if (bytes.length > 0) {
                            exchange.getResponseBody().write(bytes);
                        }
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private synchronized void answer(Answer... answers) {
        script.addAll(List.of(answers));
    }

    private JobExecutionResult write() throws Exception {
        Configuration sink = new Configuration();
        sink.set(InfluxDbSinkOptions.URL, "http://127.0.0.1:" + server.getAddress().getPort());
        sink.set(InfluxDbSinkOptions.DATABASE, "telemetry");
        return SinkTestData.write(
                InfluxDbSink.from(sink), List.of(SinkTestData.PLAIN), new Configuration());
    }

    private static long counter(JobExecutionResult job, String name) {
        return SinkTestData.counter(REPORTER, job, name);
    }

    private synchronized List<Long> requests() {
        return new ArrayList<>(requestMillis);
    }

    @Test
    void tooManyRequestsIsRetriedAfterTheRetryAfterSeconds() throws Exception {
        answer(new Answer(429, "2", "slow down"));

        JobExecutionResult job = write();

        List<Long> requests = requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1) - requests.get(0)).isGreaterThanOrEqualTo(2_000);
        assertThat(bodies.get(1)).isEqualTo(bodies.get(0));
        assertThat(counter(job, "sink_retries")).isEqualTo(1);
        assertThat(counter(job, "sink_errors")).isZero();
    }

    @Test
    void tooManyRequestsWithoutRetryAfterAndServerErrorsAreRetriedWithGrowingPauses()
            throws Exception {
        answer(
                new Answer(429, null, "slow down"),
                new Answer(503, null, "unavailable"),
                new Answer(500, null, "oops"));

        JobExecutionResult job = write();

        List<Long> requests = requests();
        assertThat(requests).hasSize(4);
        // 100 ms, 200 ms, 400 ms: each pause at least the one before it.
        assertThat(requests.get(1) - requests.get(0)).isGreaterThanOrEqualTo(100);
        assertThat(requests.get(2) - requests.get(1)).isGreaterThanOrEqualTo(200);
        assertThat(requests.get(3) - requests.get(2)).isGreaterThanOrEqualTo(400);
        assertThat(counter(job, "sink_retries")).isEqualTo(3);
    }

    @Test
    void badRequestIsCountedNotRetried() throws Exception {
        answer(new Answer(400, null, "{\"error\":\"field type conflict\"}"));

        JobExecutionResult job = write();

        assertThat(requests()).hasSize(1);
        assertThat(counter(job, "sink_rejected_points")).isEqualTo(1);
        assertThat(counter(job, "sink_errors")).isEqualTo(1);
        assertThat(counter(job, "sink_retries")).isZero();
    }

    @Test
    void missingBucketFailsTheJobAndIsNotRetried() {
        answer(new Answer(404, null, "{\"code\":\"not found\",\"message\":\"bucket not found\"}"));

        assertThatThrownBy(this::write)
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowableWithMessage(
                                                                e, "answered 404")
                                                        .map(Throwable::getMessage))
                                        .hasValue(
                                                "InfluxDB at http://127.0.0.1:"
                                                        + server.getAddress().getPort()
                                                        + " database telemetry answered 404:"
                                                        + " {\"code\":\"not found\",\"message\":\"bucket not found\"}"));
        assertThat(requests()).hasSize(1);
    }

    @Test
    void unauthorizedFailsTheJobWithTheServersMessageAndIsNotRetried() {
        answer(new Answer(401, null, "{\"error\":\"authorization failed\"}"));

        assertThatThrownBy(this::write)
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowableWithMessage(
                                                                e, "answered 401")
                                                        .map(Throwable::getMessage))
                                        .hasValue(
                                                "InfluxDB at http://127.0.0.1:"
                                                        + server.getAddress().getPort()
                                                        + " database telemetry answered 401:"
                                                        + " {\"error\":\"authorization failed\"}"));
        assertThat(requests()).hasSize(1);
    }
}
