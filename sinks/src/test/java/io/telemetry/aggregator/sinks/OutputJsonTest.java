package io.telemetry.aggregator.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import org.junit.jupiter.api.Test;

class OutputJsonTest {

    @Test
    void aggregateAsTheContractShowsIt() {
        WindowAggregate a =
                new WindowAggregate(
                        "temperature",
                        "gpu-001",
                        "{\"hostname\":\"worker-1\",\"site\":\"lab\"}",
                        "avg",
                        1_795_430_400_000L,
                        1_795_430_460_000L,
                        74.9,
                        12,
                        0);

        assertThat(OutputJson.aggregate(a))
                .isEqualTo(
                        "{\"metric\":\"temperature\",\"source\":\"gpu-001\",\"tags\":{\"hostname\":\"worker-1\",\"site\":\"lab\"},"
                                + "\"function\":\"avg\",\"window_start\":\"2026-11-23T10:40:00Z\",\"window_end\":\"2026-11-23T10:41:00Z\","
                                + "\"value\":74.9,\"count\":12}");
    }

    @Test
    void aggregatesOfWindowsInTurnEachCarryTheirOwnWindow() {
        long minute = 60_000;
        for (int i = 0; i < 4; i++) {
            long start = 1_795_430_400_000L + (i % 2) * minute;
            WindowAggregate a =
                    new WindowAggregate(
                            "m\"" + i, "s", "{}", "sum", start, start + minute, i, 1, 0);
            assertThat(OutputJson.aggregate(a))
                    .isEqualTo(
                            "{\"metric\":\"m\\\""
                                    + i
                                    + "\",\"source\":\"s\",\"tags\":{},"
                                    + "\"function\":\"sum\",\"window_start\":\"2026-11-23T10:4"
                                    + (i % 2)
                                    + ":00Z\",\"window_end\":\"2026-11-23T10:4"
                                    + (i % 2 + 1)
                                    + ":00Z\",\"value\":"
                                    + (double) i
                                    + ",\"count\":1}");
        }
    }

    @Test
    void deadLetterEscapesTheRawRecord() {
        DeadLetter d =
                new DeadLetter(
                        "malformed",
                        "bad \"x\"",
                        "10.0.0.7:41234",
                        1_795_430_400_123L,
                        "a\tb\\c\u0001");

        assertThat(OutputJson.deadLetter(d))
                .isEqualTo(
                        "{\"reason\":\"malformed\",\"detail\":\"bad \\\"x\\\"\",\"sender\":\"10.0.0.7:41234\","
                                + "\"received_at\":\"2026-11-23T10:40:00.123Z\",\"record\":\"a\\tb\\\\c\\u0001\"}");
    }
}
