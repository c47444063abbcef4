package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.internal.InternalAggregatingState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Aggregates the admitted partials per series in tumbling event-time windows aligned to the epoch,
 * with one timer per window instead of one per series and window: the operator knows its open
 * windows, and when the watermark passes a window's end it emits the window's series in slices of
 * at most {@code sliceNanos}, with {@code pauseMillis} between slices in which the task reads its
 * input, so a window of a million series does not keep the task off its input for seconds. The
 * watermark is passed on once every window it closes has been emitted.
 *
 * <p>Records of a window that has fired but is within the allowed lateness update the series'
 * aggregate, which is emitted again at once; records later than that leave through {@link
 * TelemetryWindows#LATE_RECORDS}. Every record that reaches a window is counted as {@code
 * aggregated_events_count}.
 *
 * <p>State, under the names the job's earlier window operator used (so its savepoints restore): the
 * window contents are keyed state {@value #WINDOW_STATE} with the window as namespace; the gauges'
 * cross-window values {@link WindowResults#GAUGE}; and, in operator state, the watermark up to
 * which windows have fired (for windows kept for allowed lateness). The open windows are found
 * again in the window state on restore. A savepoint of the earlier operator also holds a timer per
 * series and window ({@value #LEGACY_TIMERS}): they tell which of its windows had fired, and when
 * they fall due they do nothing, as their windows are emitted with the others.
 */
public final class TumblingWindowOperator extends AbstractStreamOperator<WindowAggregate>
        implements OneInputStreamOperator<PartialAggregate, WindowAggregate>,
                Triggerable<SeriesKey, TimeWindow> {

    private static final long serialVersionUID = 1L;

    static final String WINDOW_STATE = "window-contents";
    static final String LEGACY_TIMERS = "window-timers";
    static final String FIRED_UP_TO = "window-fired-up-to";

    private static final String ROCKSDB_BACKEND =
            "org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend";

    /** Series emitted between two checks of a slice's time budget. */
    private static final int CHECK_EVERY = 64;

    private final long windowSize;
    private final long allowedLateness;
    private final Duration gaugeExpiry;
    private final long sliceNanos;
    private final long pauseMillis;

    private transient InternalAggregatingState<
                    SeriesKey, TimeWindow, PartialAggregate, MetricAccumulator, MetricAccumulator>
            windowState;
    private transient ListState<Long> firedUpToState;
    private transient Long restoredFiredUpTo;
    private transient InternalTimerService<TimeWindow> legacyTimers;
    private transient WindowResults results;
    private transient StreamRecord<WindowAggregate> out;
    private transient Counter aggregated;

    /** Open windows by start, and whether each has fired (kept for the allowed lateness). */
    private transient TreeMap<Long, Boolean> windows;

    private transient TimeWindow lastWindow;
    private transient long watermark;
    private transient long firedUpTo;

    /** The watermark held back until the windows it closes are emitted. */
    private transient Watermark held;

    private transient ArrayDeque<Emission> pending;
    private transient boolean sliceScheduled;
    private transient boolean collectKeys;
    private transient long emissionStartedNanos;
    private transient volatile long lastEmissionMillis;

    public TumblingWindowOperator(
            long windowSizeMillis,
            long allowedLatenessMillis,
            Duration gaugeExpiry,
            long sliceNanos,
            long pauseMillis) {
        this.windowSize = windowSizeMillis;
        this.allowedLateness = allowedLatenessMillis;
        this.gaugeExpiry = gaugeExpiry;
        this.sliceNanos = sliceNanos;
        this.pauseMillis = pauseMillis;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        firedUpToState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>(FIRED_UP_TO, Types.LONG));
        if (context.isRestored()) {
            for (Long value : firedUpToState.get()) {
                restoredFiredUpTo =
                        restoredFiredUpTo == null ? value : Math.min(restoredFiredUpTo, value);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        TimeWindow.Serializer windowSerializer = new TimeWindow.Serializer();
        windowState =
                (InternalAggregatingState<
                                SeriesKey,
                                TimeWindow,
                                PartialAggregate,
                                MetricAccumulator,
                                MetricAccumulator>)
                        getOrCreateKeyedState(
                                windowSerializer,
                                new AggregatingStateDescriptor<>(
                                        WINDOW_STATE,
                                        new MetricAggregateFunction(),
                                        TypeInformation.of(MetricAccumulator.class)));
        legacyTimers = getInternalTimerService(LEGACY_TIMERS, windowSerializer, this);
        results = new WindowResults(getKeyedStateStore(), gaugeExpiry, getMetricGroup());
        aggregated = getMetricGroup().counter("aggregated_events_count");
        getMetricGroup().gauge("window_emission_millis", () -> lastEmissionMillis);
        out = new StreamRecord<>(null);
        pending = new ArrayDeque<>();
        watermark = Long.MIN_VALUE;
        firedUpTo = restoredFiredUpTo == null ? Long.MIN_VALUE : restoredFiredUpTo;
        // RocksDB iterates a snapshot of a window's keys while the task goes on; other backends'
        // iterators (the heap's) fail when the state changes under them, so there a window's keys
        // are taken at once.
        collectKeys = !ROCKSDB_BACKEND.equals(getKeyedStateBackend().getClass().getName());
        windows = new TreeMap<>();
        findOpenWindows();
    }

    /** The windows in the restored state, and which of them had fired. */
    private void findOpenWindows() throws Exception {
        KeyedStateBackend<SeriesKey> backend = getKeyedStateBackend();
        Set<Long> starts;
        try (Stream<Tuple2<SeriesKey, TimeWindow>> entries =
                backend.getKeysAndNamespaces(WINDOW_STATE)) {
            starts = entries.map(e -> e.f1.getStart()).collect(Collectors.toSet());
        }
        if (starts.isEmpty()) {
            return;
        }
        Set<Long> unfired = new HashSet<>();
        if (restoredFiredUpTo == null && allowedLateness > 0) {
            // The earlier operator's timer at a window's end is there until the window fires.
            legacyTimers.forEachEventTimeTimer(
                    (window, time) -> {
                        if (time == window.maxTimestamp()) {
                            unfired.add(window.getStart());
                        }
                    });
        }
        for (long start : starts) {
            boolean fired;
            if (allowedLateness == 0) {
                fired = false; // emitted windows leave the state at once
            } else if (restoredFiredUpTo != null) {
                fired = start + windowSize - 1 <= restoredFiredUpTo;
            } else {
                fired = !unfired.contains(start);
            }
            windows.put(start, fired);
        }
    }

    @Override
    public void processElement(StreamRecord<PartialAggregate> element) throws Exception {
        long timestamp = element.getTimestamp();
        long start = TimeWindow.getWindowStartWithOffset(timestamp, 0, windowSize);
        long maxTimestamp = start + windowSize - 1;
        if (cleanupTime(maxTimestamp) <= watermark) {
            output.collect(TelemetryWindows.LATE_RECORDS, element);
            return;
        }
        PartialAggregate partial = element.getValue();
        aggregated.inc(partial.count());
        boolean late = maxTimestamp <= watermark;
        if (late && !pending.isEmpty()) {
            // The window may still be emitting: finish that first, so that this series' aggregate
            // is emitted once more, after it, and not twice. The emission moves the current key.
            Object key = getCurrentKey();
            drain();
            setCurrentKey(key);
        }
        TimeWindow window = lastWindow;
        if (window == null || window.getStart() != start) {
            // One window object for the records of a window in a row: the heap state keeps a
            // reference to it in each series' entry.
            window = new TimeWindow(start, start + windowSize);
            lastWindow = window;
            windows.putIfAbsent(start, late);
        }
        windowState.setCurrentNamespace(window);
        windowState.add(partial);
        if (late) {
            emit((SeriesKey) getCurrentKey(), window, windowState.get());
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        if (timeServiceManager != null) {
            timeServiceManager.advanceWatermark(mark);
        }
        Iterator<Map.Entry<Long, Boolean>> it = windows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Boolean> w = it.next();
            long maxTimestamp = w.getKey() + windowSize - 1;
            if (maxTimestamp > watermark) {
                break;
            }
            boolean fire = !w.getValue();
            boolean cleanup = cleanupTime(maxTimestamp) <= watermark;
            if (fire || cleanup) {
                pending.add(
                        new Emission(
                                new TimeWindow(w.getKey(), w.getKey() + windowSize),
                                fire,
                                cleanup));
            }
            if (cleanup) {
                it.remove();
            } else {
                w.setValue(true);
            }
        }
        lastWindow = null;
        held = mark;
        if (!pending.isEmpty() && emissionStartedNanos == 0) {
            emissionStartedNanos = System.nanoTime();
        }
        if (!sliceScheduled) {
            slice();
        }
    }

    /** Old timers (a savepoint of the per-series operator): their windows are emitted above. */
    @Override
    public void onEventTime(InternalTimer<SeriesKey, TimeWindow> timer) {}

    @Override
    public void onProcessingTime(InternalTimer<SeriesKey, TimeWindow> timer) {}

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (allowedLateness > 0) {
            // A window kept for lateness must not fire twice: the checkpoint holds only whole
            // fires (the watermark up to which windows fired).
            drain();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        firedUpToState.update(List.of(firedUpTo));
    }

    @Override
    public void finish() throws Exception {
        drain();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (pending != null) {
            for (Emission e : pending) {
                e.close();
            }
            pending.clear();
        }
        super.close();
    }

    /** Emits every pending window now. */
    private void drain() throws Exception {
        while (!pending.isEmpty()) {
            emitSeries(Long.MAX_VALUE);
        }
        finished();
    }

    /** Emits series for up to a slice's time, then lets the task read input before the next. */
    private void slice() throws Exception {
        emitSeries(System.nanoTime() + sliceNanos);
        if (pending.isEmpty()) {
            finished();
        } else {
            sliceScheduled = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService()
                    .registerTimer(
                            now + pauseMillis,
                            time -> {
                                sliceScheduled = false;
                                slice();
                            });
        }
    }

    private void emitSeries(long deadlineNanos) throws Exception {
        int n = 0;
        while (!pending.isEmpty()) {
            Emission e = pending.peek();
            Iterator<SeriesKey> keys = e.keys();
            while (keys.hasNext()) {
                SeriesKey key = keys.next();
                setCurrentKey(key);
                windowState.setCurrentNamespace(e.window);
                if (e.fire) {
                    MetricAccumulator acc = windowState.get();
                    if (acc != null) {
                        emit(key, e.window, acc);
                    }
                }
                if (e.cleanup) {
                    windowState.clear();
                }
                if (++n % CHECK_EVERY == 0 && System.nanoTime() >= deadlineNanos) {
                    return;
                }
            }
            e.close();
            pending.poll();
            if (e.fire) {
                firedUpTo = Math.max(firedUpTo, e.window.maxTimestamp());
            }
        }
    }

    private void finished() {
        if (emissionStartedNanos != 0) {
            lastEmissionMillis = (System.nanoTime() - emissionStartedNanos) / 1_000_000;
            emissionStartedNanos = 0;
        }
        if (held != null) {
            firedUpTo = Math.max(firedUpTo, held.getTimestamp());
            output.emitWatermark(held);
            held = null;
        }
    }

    private void emit(SeriesKey key, TimeWindow window, MetricAccumulator acc) throws Exception {
        output.collect(out.replace(results.result(key, window, acc), window.maxTimestamp()));
    }

    private long cleanupTime(long maxTimestamp) {
        long cleanup = maxTimestamp + allowedLateness;
        return cleanup >= maxTimestamp ? cleanup : Long.MAX_VALUE;
    }

    /** Whether a window's keys are read at once rather than as its emission goes (for tests). */
    boolean takesKeysAtOnce() {
        return collectKeys;
    }

    /** A window being emitted: its series, read from the state as the emission goes. */
    private final class Emission {
        final TimeWindow window;
        final boolean fire;
        final boolean cleanup;
        private Stream<SeriesKey> stream;
        private Iterator<SeriesKey> keys;

        Emission(TimeWindow window, boolean fire, boolean cleanup) {
            this.window = window;
            this.fire = fire;
            this.cleanup = cleanup;
        }

        Iterator<SeriesKey> keys() {
            if (keys == null) {
                KeyedStateBackend<SeriesKey> backend = getKeyedStateBackend();
                stream = backend.getKeys(WINDOW_STATE, window);
                if (collectKeys) {
                    List<SeriesKey> all = stream.collect(Collectors.toList());
                    stream.close();
                    stream = null;
                    keys = all.iterator();
                } else {
                    keys = stream.iterator();
                }
            }
            return keys;
        }

        void close() {
            if (stream != null) {
                stream.close();
                stream = null;
            }
        }
    }
}
