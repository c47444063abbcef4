package io.telemetry.aggregator.udp.reader;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The UDP reader's metrics: {@code datagrams_received}, {@code bytes_received}, {@code
 * datagrams_rejected} (from senders outside {@code source.udp.allowed-senders}; not counted as
 * received) and {@code kernel_drops} (datagrams the kernel dropped on this reader's socket because
 * its receive buffer was full, as Linux reports in {@code /proc/net/udp}).
 */
public final class UdpReaderMetrics {

    private final MetricGroup group;
    private final Counter datagrams;
    private final Counter bytes;
    private final Counter rejected;

    public UdpReaderMetrics(MetricGroup group) {
        this.group = group;
        this.datagrams = group.counter("datagrams_received");
        this.bytes = group.counter("bytes_received");
        this.rejected = group.counter("datagrams_rejected");
    }

    void rejected() {
        rejected.inc();
    }

    void received(int length) {
        datagrams.inc();
        bytes.inc(length);
    }

    void registerKernelDrops(LongSupplier drops) {
        group.gauge("kernel_drops", (Gauge<Long>) drops::getAsLong);
    }
}
