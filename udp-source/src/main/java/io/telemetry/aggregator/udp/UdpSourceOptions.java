package io.telemetry.aggregator.udp;

import java.time.Duration;
import java.util.List;
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

    public static final ConfigOption<Duration> BATCH_LINGER =
            ConfigOptions.key("source.udp.batch-linger")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1))
                    .withDescription(
                            "How long a reader keeps filling a hand-over batch that its socket could not fill at once"
                                    + " (up to source.udp.max-batch datagrams). Under steady traffic the reader then wakes,"
                                    + " and wakes the task, once per linger instead of once per burst of datagrams, which"
                                    + " cuts the CPU per datagram several times over. Adds at most this much latency;"
                                    + " 0 hands every batch over at once. At most 1 s.");

    public static final ConfigOption<List<String>> ALLOWED_SENDERS =
            ConfigOptions.key("source.udp.allowed-senders")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Sender networks whose datagrams are accepted, as CIDR blocks or addresses separated by ';' "
                                    + "(e.g. 10.20.0.0/16;192.168.1.7;fd00::/8). Datagrams from other senders are dropped "
                                    + "and counted in datagrams_rejected. Empty: every sender.");

    private UdpSourceOptions() {}
}
