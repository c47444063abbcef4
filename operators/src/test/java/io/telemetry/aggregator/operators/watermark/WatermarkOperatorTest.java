package io.telemetry.aggregator.operators.watermark;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job's watermark operator in Flink's harness, driven by processing time: when the traffic
 * stops, the open window's end is reached in bounded time, then the reader goes idle; also after a
 * restore from a checkpoint with no traffic at all.
 */
class WatermarkOperatorTest {

    private OneInputStreamOperatorTestHarness<TelemetryRecord, TelemetryRecord> harness;
    private long now;

    @BeforeEach
    void open() throws Exception {
        harness = create(null);
    }

    private OneInputStreamOperatorTestHarness<TelemetryRecord, TelemetryRecord> create(
            OperatorSubtaskState restored) throws Exception {
        OneInputStreamOperatorTestHarness<TelemetryRecord, TelemetryRecord> h =
                new OneInputStreamOperatorTestHarness<>(
                        new TelemetryWatermarkOperator(
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(60),
                                Duration.ofSeconds(3)),
                        TypeInformation.of(TelemetryRecord.class)
                                .createSerializer(new SerializerConfigImpl()));
        h.getExecutionConfig().setAutoWatermarkInterval(200);
        h.setProcessingTime(now);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(long eventTime) throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new TelemetryRecord("m", "s", "{}", MetricFunction.AVG, 1, eventTime, 0)));
    }

    private void advance(long millis) throws Exception {
        for (long t = 0; t < millis; t += 200) {
            now += 200;
            harness.setProcessingTime(now);
        }
    }

    private List<String> output() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark) {
                out.add("wm " + ((Watermark) o).getTimestamp());
            } else if (o instanceof WatermarkStatus) {
                out.add(((WatermarkStatus) o).isIdle() ? "idle" : "active");
            } else if (o instanceof StreamRecord) {
                out.add("record " + ((StreamRecord<?>) o).getTimestamp());
            }
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void theLastWindowIsFlushedWhenTrafficStopsAndTheReaderGoesIdle() throws Exception {
        advance(400);
        assertThat(output()).containsExactly("idle"); // no traffic yet: holds nobody back

        send(90_000);
        send(100_000);
        advance(200);
        assertThat(output()).containsExactly("record 90000", "record 100000", "active", "wm 94999");

        // Quiet: steady for the idle timeout, then on with the wall clock to the window's end.
        long quiet = 200;
        long bound = 5_000 + 60_000 + 3_000 + 200;
        List<String> seen = new ArrayList<>();
        while (!seen.contains("idle") && quiet <= bound) {
            advance(200);
            quiet += 200;
            seen.addAll(output());
        }
        assertThat(seen).endsWith("wm 119999", "idle");
        assertThat(quiet).isLessThanOrEqualTo(bound);

        // New traffic makes the reader active again; the watermark never goes back.
        send(125_000);
        advance(200);
        assertThat(output()).containsExactly("record 125000", "active");
        send(130_000);
        advance(200);
        assertThat(output()).containsExactly("record 130000", "wm 124999");
    }

    @Test
    void afterARestoreWithoutTrafficTheOpenWindowsAreStillFlushed() throws Exception {
        send(100_000);
        advance(200);
        OperatorSubtaskState snapshot = harness.snapshot(1, now);
        harness.close();

        harness = create(snapshot);
        List<String> seen = new ArrayList<>();
        long quiet = 0;
        long bound = 5_000 + 60_000 + 3_000 + 200;
        while (!seen.contains("wm 119999") && quiet <= bound) {
            advance(200);
            quiet += 200;
            seen.addAll(output());
        }
        assertThat(quiet).isLessThanOrEqualTo(bound);
        assertThat(seen).startsWith("wm 94999").endsWith("wm 119999", "idle");
    }

    @Test
    void recordsGetTheirEventTimeAsTimestamp() throws Exception {
        send(42_000);
        assertThat(output()).containsExactly("record 42000");
    }
}
