package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns datagrams into {@link TelemetryRecord}s; records that cannot be used go to the {@link
 * #DEAD_LETTERS} side output. Metrics: {@code records_parsed}, and {@code failed_events_count}
 * under a {@code reason} label.
 */
public final class ParseFunction extends ProcessFunction<UdpDatagram, TelemetryRecord> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final ParseSettings settings;

    private transient DatagramParser parser;
    private transient Emitter emitter;
    private transient Counter recordsParsed;

    public ParseFunction(ParseSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new DatagramParser(settings);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        recordsParsed = metrics.counter("records_parsed");
        emitter = new Emitter(failedEventCounters(metrics));
    }

    /**
     * One {@code failed_events_count} counter per parse reason, labelled {@code reason}; late
     * records are counted where they are found, after the windows.
     */
    private static Map<String, Counter> failedEventCounters(MetricGroup metrics) {
        Map<String, Counter> counters = new HashMap<>();
        for (String reason : DeadLetter.REASONS) {
            if (reason.equals(DeadLetter.LATE)) {
                continue;
            }
            counters.put(reason, metrics.addGroup("reason", reason).counter("failed_events_count"));
        }
        return counters;
    }

    @Override
    public void processElement(UdpDatagram datagram, Context ctx, Collector<TelemetryRecord> out) {
        emitter.ctx = ctx;
        emitter.out = out;
        recordsParsed.inc(parser.parse(datagram, emitter));
    }

    private static final class Emitter implements ParseOutput {
        private final Map<String, Counter> failed;
        Context ctx;
        Collector<TelemetryRecord> out;

        Emitter(Map<String, Counter> failed) {
            this.failed = failed;
        }

        @Override
        public void record(TelemetryRecord record) {
            out.collect(record);
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            failed.get(deadLetter.reason).inc();
            ctx.output(DEAD_LETTERS, deadLetter);
        }
    }
}
