package io.telemetry.aggregator.sinks.kafka;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's {@link KafkaSink}, except that its writer's {@code close()} does not throw when the only
 * problem is batches failed by the abort of their transaction. That happens when a task fails while
 * an exactly-once batch is in flight; thrown from {@code close()}, Flink takes it as a fatal error
 * and stops the whole TaskManager instead of restarting the job from its checkpoint. The aborted
 * records are rewritten after the restore, so nothing is lost. State, committer and serializers are
 * the Kafka sink's own, so savepoints are the same.
 */
public final class AbortTolerantKafkaSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AbortTolerantKafkaSink.class);

    private final KafkaSink<IN> delegate;

    public AbortTolerantKafkaSink(KafkaSink<IN> delegate) {
        this.delegate = delegate;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return new Writer<>(delegate.createWriter(context));
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState)
            throws IOException {
        return new Writer<>(delegate.restoreWriter(context, recoveredState));
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public void addPostCommitTopology(
            DataStream<CommittableMessage<KafkaCommittable>> committables) {
        delegate.addPostCommitTopology(committables);
    }

    private static final class Writer<IN>
            implements PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> {

        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable>
                delegate;

        Writer(PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            delegate.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            delegate.flush(endOfInput);
        }

        @Override
        public void writeWatermark(org.apache.flink.api.common.eventtime.Watermark watermark)
                throws IOException, InterruptedException {
            delegate.writeWatermark(watermark);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit()
                throws IOException, InterruptedException {
            return delegate.prepareCommit();
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            try {
                delegate.close();
            } catch (Exception e) {
                if (ExceptionUtils.findThrowable(e, TransactionAbortedException.class).isEmpty()) {
                    throw e;
                }
                LOG.warn(
                        "Kafka batches of an aborted transaction failed while closing the writer;"
                                + " they are written again after the restore: {}",
                        e.getMessage());
            }
        }
    }
}
