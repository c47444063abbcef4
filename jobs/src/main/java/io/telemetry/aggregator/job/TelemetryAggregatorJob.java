package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.aggregate.LateRecordDeadLetters;
import io.telemetry.aggregator.operators.aggregate.PartialAggregate;
import io.telemetry.aggregator.operators.aggregate.SeriesAdmission;
import io.telemetry.aggregator.operators.aggregate.TelemetryWindows;
import io.telemetry.aggregator.operators.aggregate.WindowSettings;
import io.telemetry.aggregator.operators.parse.ParseFunction;
import io.telemetry.aggregator.operators.parse.ParseSettings;
import io.telemetry.aggregator.operators.watermark.TelemetryWatermarkOperator;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The telemetry aggregation job: UDP datagrams → records → event-time watermarks → partial
 * aggregates per series and window (before the shuffle) → tumbling window aggregates, with unusable
 * and late records as dead letters. Only wiring lives here.
 *
 * <p>Run it on a cluster with {@code flink run}, or locally with the web UI through {@link
 * LocalRunner}. Tests hand {@link #build} their own source and attach their own sinks.
 */
public final class TelemetryAggregatorJob {

    private TelemetryAggregatorJob() {}

    /** The two result streams of the pipeline, for the caller to attach sinks to. */
    public static final class Outputs {
        public final DataStream<WindowAggregate> aggregates;
        public final DataStream<DeadLetter> deadLetters;

        Outputs(DataStream<WindowAggregate> aggregates, DataStream<DeadLetter> deadLetters) {
            this.aggregates = aggregates;
            this.deadLetters = deadLetters;
        }
    }

    public static void main(String[] args) throws Exception {
        JobConfiguration.Loaded loaded = JobConfiguration.load(args, System.getenv());
        if (loaded.helpRequested) {
            System.out.println(SettingsHelp.help());
            return;
        }
        run(CheckpointDefaults.environment(loaded.config), loaded.config);
    }

    /**
     * Builds the job with the configured source and sinks and runs it until cancelled. The
     * checkpoint defaults apply only where neither the job's settings nor the cluster's
     * configuration (which the environment holds) set a value.
     */
    static void run(StreamExecutionEnvironment env, Configuration jobConfig) throws Exception {
        Configuration config = CheckpointDefaults.apply(env, jobConfig);
        JobParts parts = JobParts.from(config);
        parts.sinks.prepare();
        Outputs outputs = build(env, parts.source, parts.parse, parts.window);
        parts.sinks.attach(outputs);
        env.execute(config.getOptional(PipelineOptions.NAME).orElse("telemetry-aggregator"));
    }

    /**
     * Wires source → parse → watermarks → pre-aggregation → windows. Turns Kryo off (every type has
     * its own serializer) and requires a uid on every operator, so that savepoints stay restorable.
     */
    public static Outputs build(
            StreamExecutionEnvironment env,
            Configuration config,
            Source<UdpDatagram, ?, ?> source) {
        return build(env, source, ParseSettings.from(config), WindowSettings.from(config));
    }

    private static Outputs build(
            StreamExecutionEnvironment env,
            Source<UdpDatagram, ?, ?> source,
            ParseSettings parse,
            WindowSettings window) {
        Configuration pipeline = new Configuration();
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        pipeline.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(pipeline);

        Duration windowSize = window.size;

        DataStream<UdpDatagram> datagrams =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), OperatorNames.UDP_SOURCE)
                        .uid(Uids.UDP_SOURCE);

        SingleOutputStreamOperator<TelemetryRecord> records =
                datagrams
                        .process(new ParseFunction(parse))
                        .name(OperatorNames.PARSE)
                        .uid(Uids.PARSE);

        DataStream<TelemetryRecord> timed =
                records.transform(
                                OperatorNames.WATERMARKS,
                                TypeInformation.of(TelemetryRecord.class),
                                new TelemetryWatermarkOperator(
                                        window.outOfOrderness, windowSize, window.idleTimeout))
                        .uid(Uids.WATERMARKS);

        Duration lateness = window.allowedLateness;
        DataStream<PartialAggregate> partials =
                TelemetryWindows.preAggregate(
                                timed, windowSize, lateness, window.preAggregationMaxSeries)
                        .uid(Uids.PRE_AGGREGATE);

        SingleOutputStreamOperator<PartialAggregate> admitted =
                TelemetryWindows.admit(partials, window.limits)
                        .name(OperatorNames.SERIES_ADMISSION)
                        .uid(Uids.SERIES_ADMISSION);

        SingleOutputStreamOperator<WindowAggregate> aggregates =
                TelemetryWindows.aggregate(
                                admitted, windowSize, lateness, parse.statsdGaugeExpiry())
                        .name(OperatorNames.WINDOW_AGGREGATE)
                        .uid(Uids.WINDOW_AGGREGATE);

        DataStream<DeadLetter> late =
                aggregates
                        .getSideOutput(TelemetryWindows.LATE_RECORDS)
                        .map(new LateRecordDeadLetters(windowSize.toMillis()))
                        .name(OperatorNames.LATE_DEAD_LETTERS)
                        .uid(Uids.LATE_DEAD_LETTERS);

        DataStream<DeadLetter> deadLetters =
                records.getSideOutput(ParseFunction.DEAD_LETTERS)
                        .union(late, admitted.getSideOutput(SeriesAdmission.REFUSED));
        return new Outputs(aggregates, deadLetters);
    }
}
