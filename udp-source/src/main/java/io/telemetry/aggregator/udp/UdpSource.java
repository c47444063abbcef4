package io.telemetry.aggregator.udp;

import io.telemetry.aggregator.udp.enumerator.UdpEnumeratorState;
import io.telemetry.aggregator.udp.enumerator.UdpEnumeratorStateSerializer;
import io.telemetry.aggregator.udp.enumerator.UdpSplitEnumerator;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.reader.UdpReaderMetrics;
import io.telemetry.aggregator.udp.reader.UdpSourceReader;
import io.telemetry.aggregator.udp.split.UdpSplit;
import io.telemetry.aggregator.udp.split.UdpSplitSerializer;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A FLIP-27 source that receives UDP datagrams.
 *
 * <p>Every parallel reader binds its own socket to the same address and port with {@code
 * SO_REUSEPORT}, so the kernel spreads senders across the readers. There is one split per reader
 * (the reader's socket). UDP senders do not retransmit, so each reader appends what it reads to the
 * split's write-ahead journal before handing it on, and the split's checkpointed position in the
 * journal is where a restored reader replays from (see {@link UdpSplit}). Without the journal,
 * datagrams received after the last completed checkpoint are lost on a failure.
 *
 * <pre>{@code
 * UdpSource source = UdpSource.builder()
 *         .setBindAddress("0.0.0.0")   // default
 *         .setPort(6000)               // default
 *         .setReceiveBufferSize(8 << 20)
 *         .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "UDP telemetry");
 * }</pre>
 */
public final class UdpSource
        implements Source<UdpDatagram, UdpSplit, UdpEnumeratorState>,
                ResultTypeQueryable<UdpDatagram> {

    private static final long serialVersionUID = 1L;

    private final String bindAddress;
    private final int port;
    private final int receiveBufferBytes;
    private final int socketsPerReader;
    private final int maxBatch;
    private final long batchLingerNanos;
    private final SenderAllowlist allowedSenders;
    @Nullable private final JournalSettings journal;

    /**
     * This source instance, fixed when the job is built: it names the journals of new splits, and
     * tells a split restored from this job's own checkpoint from one another job checkpointed.
     */
    private final String sourceId = UUID.randomUUID().toString().substring(0, 8);

    UdpSource(
            String bindAddress,
            int port,
            int receiveBufferBytes,
            int socketsPerReader,
            int maxBatch,
            long batchLingerNanos,
            SenderAllowlist allowedSenders,
            @Nullable JournalSettings journal) {
        this.journal = journal;
        this.batchLingerNanos = batchLingerNanos;
        this.allowedSenders = allowedSenders;
        this.bindAddress = bindAddress;
        this.port = port;
        this.receiveBufferBytes = receiveBufferBytes;
        this.socketsPerReader = socketsPerReader;
        this.maxBatch = maxBatch;
    }

    public static UdpSourceBuilder builder() {
        return new UdpSourceBuilder();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<UdpDatagram, UdpSplit> createReader(SourceReaderContext readerContext) {
        UdpReaderMetrics metrics = new UdpReaderMetrics(readerContext.metricGroup());
        return new UdpSourceReader(
                bindAddress,
                port,
                receiveBufferBytes,
                socketsPerReader,
                maxBatch,
                batchLingerNanos,
                allowedSenders,
                journal,
                sourceId,
                metrics,
                new Configuration(),
                readerContext);
    }

    @Override
    public SplitEnumerator<UdpSplit, UdpEnumeratorState> createEnumerator(
            SplitEnumeratorContext<UdpSplit> enumContext) {
        return new UdpSplitEnumerator(enumContext, sourceId, UdpEnumeratorState.EMPTY);
    }

    @Override
    public SplitEnumerator<UdpSplit, UdpEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<UdpSplit> enumContext, UdpEnumeratorState checkpoint) {
        return new UdpSplitEnumerator(enumContext, sourceId, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<UdpSplit> getSplitSerializer() {
        return UdpSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<UdpEnumeratorState> getEnumeratorCheckpointSerializer() {
        return UdpEnumeratorStateSerializer.INSTANCE;
    }

    /** The journal settings, or null when the journal is off. */
    @Nullable
    public JournalSettings getJournal() {
        return journal;
    }

    @Override
    public TypeInformation<UdpDatagram> getProducedType() {
        return TypeInformation.of(UdpDatagram.class);
    }
}
