package io.telemetry.aggregator.udp;

import io.telemetry.aggregator.udp.journal.JournalSettings;
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

    public static final ConfigOption<Integer> SOCKETS_PER_READER =
            ConfigOptions.key("source.udp.sockets-per-reader")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Sockets each reader binds to the port (1 to 64), each with a receive buffer of"
                                    + " source.udp.receive-buffer. The kernel spreads senders across all"
                                    + " sockets of all readers, so each socket queues the traffic of fewer"
                                    + " senders while its reader is not running (a collection pause, a busy"
                                    + " CPU), and a reader holds this many times more before the kernel drops."
                                    + " One sender's datagrams always reach the same socket. 4 lost a third to a"
                                    + " tenth as much as 1 at 1,000,000 JSON records/s from 8 senders on two vCPUs;"
                                    + " 1 keeps to one socket (and one buffer) per reader.");

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

    public static final ConfigOption<Boolean> JOURNAL_ENABLED =
            ConfigOptions.key("source.udp.journal.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Each reader appends what it reads to a write-ahead journal on local disk before"
                                    + " handing it on, so a failure (a killed TaskManager, a task failure) loses"
                                    + " no datagram the job had read, and the journal absorbs stalls of the task."
                                    + " false: what was read after the last completed checkpoint is lost on a failure.");

    public static final ConfigOption<String> JOURNAL_DIR =
            ConfigOptions.key("source.udp.journal.dir")
                    .stringType()
                    .defaultValue("/tmp/telemetry-aggregator/journal")
                    .withDescription(
                            "Directory of the readers' journals, one subdirectory per split. A restarted"
                                    + " reader must find it: on Kubernetes put it on the volume that holds the"
                                    + " checkpoints (ReadWriteMany when a replacement pod may run elsewhere).");

    public static final ConfigOption<MemorySize> JOURNAL_MAX_BYTES =
            ConfigOptions.key("source.udp.journal.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("4gb"))
                    .withDescription(
                            "Most disk one reader's journal may take. Segments are deleted once a completed"
                                    + " checkpoint covers them; when the journal is full (checkpoints failing for"
                                    + " a long time) the reader drops and counts datagrams in"
                                    + " journal_dropped_datagrams.");

    public static final ConfigOption<MemorySize> JOURNAL_SEGMENT_SIZE =
            ConfigOptions.key("source.udp.journal.segment-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Size of one journal segment file, the unit in which the journal is deleted.");

    public static final ConfigOption<JournalSettings.Sync> JOURNAL_SYNC =
            ConfigOptions.key("source.udp.journal.sync")
                    .enumType(JournalSettings.Sync.class)
                    .defaultValue(JournalSettings.Sync.PAGE_CACHE)
                    .withDescription(
                            "When journal writes are forced to the disk: page-cache never (survives a killed"
                                    + " process or TaskManager, not a lost machine), checkpoint when each"
                                    + " checkpoint is taken, interval every source.udp.journal.sync-interval.");

    public static final ConfigOption<Duration> JOURNAL_SYNC_INTERVAL =
            ConfigOptions.key("source.udp.journal.sync-interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "With source.udp.journal.sync: interval, how often the journal is forced to the disk.");

    public static final ConfigOption<JournalSettings.Missing> JOURNAL_MISSING =
            ConfigOptions.key("source.udp.journal.missing")
                    .enumType(JournalSettings.Missing.class)
                    .defaultValue(JournalSettings.Missing.FAIL)
                    .withDescription(
                            "When a split restored from the job's own checkpoint finds no journal: fail stops"
                                    + " the job with one line naming the directory; start-empty accepts the loss,"
                                    + " counted in journal_missing.");

    public static final ConfigOption<Duration> JOURNAL_LOCK_TIMEOUT =
            ConfigOptions.key("source.udp.journal.lock-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "How long a reader waits for the lock of a split's journal that another reader"
                                    + " holds before it stops the job with one line naming the holder. A killed"
                                    + " process holds no lock; on network storage (NFS) a lost TaskManager's lock"
                                    + " lasts until its lease expires (90 s by default), which this must exceed.");

    private UdpSourceOptions() {}
}
