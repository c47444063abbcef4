package io.telemetry.aggregator.udp;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Settings of the UDP source. */
public final class UdpSourceOptions {

    public static final ConfigOption<String> BIND_ADDRESS =
            ConfigOptions.key("source.udp.bind-address")
                    .stringType()
                    .defaultValue("0.0.0.0")
                    .withDescription(
                            "Local address the UDP readers bind to (0.0.0.0 for every IPv4 interface, :: for IPv6).");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("source.udp.port")
                    .intType()
                    .defaultValue(6000)
                    .withDescription(
                            "UDP port every reader binds to with SO_REUSEPORT; the kernel spreads senders across readers. Seed variable: AGGREGATOR_PORT.");

    public static final ConfigOption<MemorySize> RECEIVE_BUFFER =
            ConfigOptions.key("source.udp.receive-buffer")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8mb"))
                    .withDescription(
                            "SO_RCVBUF asked for on each reader's socket. The kernel caps it at net.core.rmem_max; "
                                    + "the effective size is logged at start.");

    public static final ConfigOption<Integer> MAX_BATCH =
            ConfigOptions.key("source.udp.max-batch")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Most datagrams one fetch hands over to the task thread at once.");

    private UdpSourceOptions() {}
}
