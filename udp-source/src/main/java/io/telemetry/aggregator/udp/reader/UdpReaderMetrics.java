package io.telemetry.aggregator.udp.reader;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.function.LongSupplier;

/**
 * The UDP reader's metrics: {@code datagrams_received}, {@code bytes_received} and {@code
 * kernel_drops} (datagrams the kernel dropped on this reader's socket because its receive buffer
 * was full, as Linux reports in {@code /proc/net/udp}).
 */
public final class UdpReaderMetrics {

    private final MetricGroup group;
    private final Counter datagrams;
    private final Counter bytes;

    public UdpReaderMetrics(MetricGroup group) {
        this.group = group;
        this.datagrams = group.counter("datagrams_received");
        this.bytes = group.counter("bytes_received");
    }

    void received(int length) {
        datagrams.inc();
        bytes.inc(length);
    }

    void registerKernelDrops(LongSupplier drops) {
        group.gauge("kernel_drops", (Gauge<Long>) drops::getAsLong);
    }

    public long datagramsReceived() {
        return datagrams.getCount();
    }
}
