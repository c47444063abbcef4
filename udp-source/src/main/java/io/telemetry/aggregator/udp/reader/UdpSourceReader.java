package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The UDP source's reader: asks the enumerator for its socket split at start, and hands the
 * datagrams its fetcher receives to the task thread.
 *
 * <p>It checkpoints no splits: a socket has no position to restore, and after a restore or a change
 * of parallelism each reader simply asks for its own socket again.
 */
public final class UdpSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                UdpDatagram, UdpDatagram, UdpSplit, UdpSplit> {

    public UdpSourceReader(
            String bindAddress,
            int port,
            int socketBufferBytes,
            int maxBatch,
            long batchLingerNanos,
            SenderAllowlist allowedSenders,
            UdpReaderMetrics metrics,
            Configuration config,
            SourceReaderContext context) {
        super(
                () ->
                        new UdpSplitReader(
                                bindAddress,
                                port,
                                socketBufferBytes,
                                maxBatch,
                                batchLingerNanos,
                                allowedSenders,
                                metrics),
                new UdpRecordEmitter(),
                config,
                context);
    }

    @Override
    public void start() {
        super.start();
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    public List<UdpSplit> snapshotState(long checkpointId) {
        return Collections.emptyList();
    }

    @Override
    protected void onSplitFinished(Map<String, UdpSplit> finishedSplitIds) {}

    @Override
    protected UdpSplit initializedState(UdpSplit split) {
        return split;
    }

    @Override
    protected UdpSplit toSplitType(String splitId, UdpSplit splitState) {
        return splitState;
    }
}
