package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The window operator's emission in slices, its checkpoints in the middle of one, and the restore
 * of the state that Flink's window operator (one timer per series and window) left in savepoints of
 * earlier releases.
 */
class TumblingWindowOperatorTest {

    private static final long MINUTE = 60_000;
    private static final int SERIES = 1_000;

    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, WindowAggregate>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** The state backend of each test's harnesses: the job's RocksDB, or the heap. */
    private boolean rocksDb;

    /** The operator, emitting 64 series a slice when {@code sliced}, else a window at once. */
    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, WindowAggregate>
            harness(Duration lateness, boolean sliced) throws Exception {
        TumblingWindowOperator operator =
                new TumblingWindowOperator(
                        MINUTE,
                        lateness.toMillis(),
                        Duration.ofHours(1),
                        sliced ? 0 : Long.MAX_VALUE / 2,
                        5);
        return withBackend(
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator,
                        new TelemetryWindows.SeriesKeySelector(),
                        TypeInformation.of(SeriesKey.class)));
    }

    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, WindowAggregate>
            withBackend(
                    KeyedOneInputStreamOperatorTestHarness<
                                    SeriesKey, PartialAggregate, WindowAggregate>
                            h) {
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static StreamRecord<PartialAggregate> record(String source, double value, long ts) {
        TelemetryRecord r =
                new TelemetryRecord("load", source, "{}", MetricFunction.SUM, value, ts, ts);
        return new StreamRecord<>(PartialAggregate.of(r, ts - ts % MINUTE), ts);
    }

    private void sendSeries(long ts) throws Exception {
        for (int i = 0; i < SERIES; i++) {
            harness.processElement(record("dev-" + i, i, ts));
        }
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void rocksDbIteratesAWindowsKeysAsTheEmissionGoesAndTheHeapTakesThemAtOnce(boolean rocksDb)
            throws Exception {
        open(rocksDb, Duration.ZERO);
        assertThat(((TumblingWindowOperator) harness.getOperator()).takesKeysAtOnce())
                .isEqualTo(!rocksDb);
    }

    /** A sliced operator with the window at 0 closed: its emission has begun, 64 series out. */
    /** Opens the sliced operator on the heap or RocksDB. */
    private void open(boolean rocksDb, Duration lateness) throws Exception {
        this.rocksDb = rocksDb;
        harness = harness(lateness, true);
        harness.open();
    }

    private void beginEmission(boolean rocksDb, Duration lateness) throws Exception {
        open(rocksDb, lateness);
        sendSeries(1_000);
        harness.processWatermark(MINUTE - 1);
        assertThat(aggregates()).hasSize(64);
    }

    private List<WindowAggregate> aggregates() {
        return harness.extractOutputValues();
    }

    private boolean watermarkEmitted(long ts) {
        return harness.getOutput().stream()
                .anyMatch(o -> o instanceof Watermark && ((Watermark) o).getTimestamp() == ts);
    }

    private long processingTime;

    /** Series and windows in the window state, in either backend. */
    private long windowStateEntries() throws Exception {
        KeyedStateBackend<SeriesKey> backend =
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        try (Stream<?> entries =
                backend.getKeysAndNamespaces(TumblingWindowOperator.WINDOW_STATE)) {
            return entries.count();
        }
    }

    /** The watermark, and the slices of the emission it starts until it is passed on. */
    private void watermarkAndSlices(long ts) throws Exception {
        harness.processWatermark(ts);
        while (!watermarkEmitted(ts)) {
            processingTime += 5;
            harness.setProcessingTime(processingTime);
        }
    }

    /** Every series of {@link #sendSeries} once, with its value, for the window at 0. */
    private static void assertEverySeriesOnce(List<WindowAggregate> emitted, double offset) {
        assertThat(emitted).hasSize(SERIES);
        assertThat(emitted).extracting(a -> a.source).doesNotHaveDuplicates();
        for (WindowAggregate a : emitted) {
            assertThat(a.value).isEqualTo(Integer.parseInt(a.source.substring(4)) + offset);
            assertThat(a.windowStart).isZero();
        }
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void aClosedWindowIsEmittedInSlicesAndItsWatermarkAfterIt(boolean rocksDb) throws Exception {
        open(rocksDb, Duration.ZERO);
        sendSeries(1_000);
        harness.processElement(record("next", 1, MINUTE + 1));

        harness.processWatermark(MINUTE - 1);
        assertThat(aggregates()).hasSize(64);
        assertThat(watermarkEmitted(MINUTE - 1)).isFalse();

        // Input between slices goes on: a record of the open window.
        harness.processElement(record("next", 2, MINUTE + 2));
        int slices = 1;
        for (long t = 5; aggregates().size() < SERIES; t += 5) {
            harness.setProcessingTime(t);
            slices++;
        }
        assertThat(slices).isEqualTo((SERIES + 63) / 64);
        assertEverySeriesOnce(aggregates(), 0);
        assertThat(watermarkEmitted(MINUTE - 1)).isTrue();
        Object last = harness.getOutput().toArray()[harness.getOutput().size() - 1];
        assertThat(last).isInstanceOf(Watermark.class);

        harness.processWatermark(2 * MINUTE - 1);
        assertThat(aggregates()).hasSize(SERIES + 1);
        assertThat(aggregates().get(SERIES).value).isEqualTo(3);
        assertThat(windowStateEntries()).isZero();
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void aCheckpointInTheMiddleOfAnEmissionKeepsTheRestForAfterTheRestore(boolean rocksDb)
            throws Exception {
        open(rocksDb, Duration.ZERO);
        sendSeries(1_000);
        harness.processWatermark(MINUTE - 1);
        List<WindowAggregate> before = new ArrayList<>(aggregates());
        assertThat(before).hasSize(64);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(Duration.ZERO, false);
        harness.initializeState(snapshot);
        harness.open();
        harness.processWatermark(MINUTE - 1);

        List<WindowAggregate> all = new ArrayList<>(before);
        all.addAll(aggregates());
        assertEverySeriesOnce(all, 0);
        assertThat(windowStateEntries()).isZero();
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void withLatenessACheckpointFinishesTheEmissionAndTheRestoreDoesNotFireAgain(boolean rocksDb)
            throws Exception {
        beginEmission(rocksDb, Duration.ofSeconds(30));
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        List<WindowAggregate> before = new ArrayList<>(aggregates());
        assertEverySeriesOnce(before, 0);
        harness.close();

        harness = harness(Duration.ofSeconds(30), false);
        harness.initializeState(snapshot);
        harness.open();
        harness.processWatermark(MINUTE + 1_000);
        assertThat(aggregates()).isEmpty();

        // Late within the lateness: the series' aggregate again, with the record.
        harness.processElement(record("dev-7", 100, 59_000));
        assertThat(aggregates())
                .extracting(a -> a.value + " x" + a.count)
                .containsExactly("107.0 x2");

        harness.processWatermark(MINUTE + 29_999);
        assertThat(windowStateEntries()).isZero();
        assertThat(aggregates()).hasSize(1);
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void aLateRecordDuringAnEmissionFinishesItAndUpdatesOnlyItsSeries(boolean rocksDb)
            throws Exception {
        beginEmission(rocksDb, Duration.ofSeconds(30));

        harness.processElement(record("dev-7", 100, 59_000)); // late, within the lateness

        List<WindowAggregate> emitted = aggregates();
        assertEverySeriesOnce(emitted.subList(0, SERIES), 0);
        assertThat(emitted.subList(SERIES, emitted.size()))
                .extracting(a -> a.source + "=" + a.value + " x" + a.count)
                .containsExactly("dev-7=107.0 x2");
        assertThat(watermarkEmitted(MINUTE - 1)).isTrue();

        watermarkAndSlices(MINUTE + 29_999);
        assertThat(aggregates()).hasSize(SERIES + 1);
        assertThat(windowStateEntries()).isZero();
    }

    /** Flink's window operator as the job wired it up to release 0.2.0: a timer per series. */
    @SuppressWarnings("unchecked")
    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, WindowAggregate>
            perSeriesTimerOperator(Duration lateness) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<PartialAggregate> partials = env.fromData(record("x", 0, 0).getValue());
        TypeInformation<MetricAccumulator> acc = TypeInformation.of(MetricAccumulator.class);
        OneInputTransformation<PartialAggregate, WindowAggregate> transformation =
                (OneInputTransformation<PartialAggregate, WindowAggregate>)
                        partials.keyBy(
                                        new TelemetryWindows.SeriesKeySelector(),
                                        TypeInformation.of(SeriesKey.class))
                                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                                .allowedLateness(lateness)
                                .sideOutputLateData(TelemetryWindows.LATE_RECORDS)
                                .aggregate(
                                        new MetricAggregateFunction(),
                                        new PerSeriesResult(),
                                        acc,
                                        acc,
                                        TypeInformation.of(WindowAggregate.class))
                                .getTransformation();
        return withBackend(
                new KeyedOneInputStreamOperatorTestHarness<>(
                        transformation.getOperatorFactory(),
                        (KeySelector<PartialAggregate, SeriesKey>)
                                transformation.getStateKeySelector(),
                        TypeInformation.of(SeriesKey.class)));
    }

    private static final class PerSeriesResult
            extends ProcessWindowFunction<
                    MetricAccumulator, WindowAggregate, SeriesKey, TimeWindow> {
        @Override
        public void process(
                SeriesKey key,
                Context context,
                Iterable<MetricAccumulator> accs,
                Collector<WindowAggregate> out) {
            MetricAccumulator a = accs.iterator().next();
            out.collect(
                    new WindowAggregate(
                            key.metric,
                            key.source,
                            key.tags,
                            a.function().label(),
                            context.window().getStart(),
                            context.window().getEnd(),
                            a.result(),
                            a.count(),
                            a.lastReceivedAt()));
        }
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void theStateOfThePerSeriesTimerOperatorRestoresFiredAndOpenWindowsExactly(boolean rocksDb)
            throws Exception {
        this.rocksDb = rocksDb;
        Duration lateness = Duration.ofSeconds(30);
        harness = perSeriesTimerOperator(lateness);
        harness.open();
        sendSeries(1_000); // fires before the savepoint, kept for its lateness
        harness.processElement(record("dev-1", 5, MINUTE + 1_000)); // open at the savepoint
        harness.processWatermark(MINUTE + 500);
        assertEverySeriesOnce(aggregates(), 0);
        assertThat(harness.numEventTimeTimers()).isEqualTo(SERIES + 2);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(lateness, true);
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(record("dev-2", 6, MINUTE + 2_000));
        harness.processWatermark(MINUTE + 10_000);
        assertThat(aggregates()).isEmpty(); // the fired window does not fire again

        harness.processElement(record("dev-3", 10, 30_000)); // late, within the lateness
        assertThat(aggregates())
                .extracting(a -> a.source + "=" + a.value)
                .containsExactly("dev-3=13.0");

        watermarkAndSlices(2 * MINUTE - 1);
        assertThat(aggregates())
                .extracting(a -> a.source + "@" + a.windowStart + "=" + a.value)
                .containsExactlyInAnyOrder("dev-3@0=13.0", "dev-1@60000=5.0", "dev-2@60000=6.0");

        watermarkAndSlices(3 * MINUTE);
        assertThat(windowStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(aggregates()).hasSize(3);
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void withoutLatenessThePerSeriesTimerOperatorsOpenWindowsRestoreExactly(boolean rocksDb)
            throws Exception {
        this.rocksDb = rocksDb;
        harness = perSeriesTimerOperator(Duration.ZERO);
        harness.open();
        sendSeries(1_000);
        harness.processWatermark(30_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(Duration.ZERO, true);
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(record("dev-9", 0, 40_000));
        watermarkAndSlices(MINUTE - 1);
        assertEverySeriesOnce(aggregates(), 0);
        assertThat(aggregates())
                .filteredOn(a -> a.source.equals("dev-9"))
                .extracting(a -> a.count)
                .containsExactly(2L);
        assertThat(windowStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
