package io.telemetry.aggregator.udp;

import static org.apache.flink.util.Preconditions.checkNotNull;

import io.telemetry.aggregator.udp.journal.JournalSettings;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Builds a {@link UdpSource}. Defaults: bind address {@code 0.0.0.0}, port 6000, an 8 MiB receive
 * buffer, at most 1024 datagrams per hand-over batch, filled for up to 1 ms.
 */
public final class UdpSourceBuilder {

    private String bindAddress = UdpSourceOptions.BIND_ADDRESS.defaultValue();
    private int port = UdpSourceOptions.PORT.defaultValue();
    private long receiveBufferBytes = UdpSourceOptions.RECEIVE_BUFFER.defaultValue().getBytes();
    private int socketsPerReader = UdpSourceOptions.SOCKETS_PER_READER.defaultValue();
    private int maxBatch = UdpSourceOptions.MAX_BATCH.defaultValue();
    private Duration batchLinger = UdpSourceOptions.BATCH_LINGER.defaultValue();
    private SenderAllowlist allowedSenders = SenderAllowlist.all();
    private boolean journalEnabled = UdpSourceOptions.JOURNAL_ENABLED.defaultValue();
    private String journalDir = UdpSourceOptions.JOURNAL_DIR.defaultValue();
    private long journalMaxBytes = UdpSourceOptions.JOURNAL_MAX_BYTES.defaultValue().getBytes();
    private long journalSegmentBytes =
            UdpSourceOptions.JOURNAL_SEGMENT_SIZE.defaultValue().getBytes();
    private JournalSettings.Sync journalSync = UdpSourceOptions.JOURNAL_SYNC.defaultValue();
    private Duration journalSyncInterval = UdpSourceOptions.JOURNAL_SYNC_INTERVAL.defaultValue();
    private JournalSettings.Missing journalMissing =
            UdpSourceOptions.JOURNAL_MISSING.defaultValue();
    private Duration journalLockTimeout = UdpSourceOptions.JOURNAL_LOCK_TIMEOUT.defaultValue();

    private static final int MAX_SOCKETS_PER_READER = 64;

    UdpSourceBuilder() {}

    /** Takes every {@code source.udp.*} setting from a configuration. */
    public UdpSourceBuilder setConfiguration(Configuration config) {
        checkNotNull(config, "config");
        setBindAddress(config.get(UdpSourceOptions.BIND_ADDRESS));
        setPort(config.get(UdpSourceOptions.PORT));
        setReceiveBufferSize(config.get(UdpSourceOptions.RECEIVE_BUFFER).getBytes());
        setSocketsPerReader(config.get(UdpSourceOptions.SOCKETS_PER_READER));
        setMaxBatch(config.get(UdpSourceOptions.MAX_BATCH));
        setBatchLinger(config.get(UdpSourceOptions.BATCH_LINGER));
        setAllowedSenders(SenderAllowlist.parse(config.get(UdpSourceOptions.ALLOWED_SENDERS)));
        setJournalEnabled(config.get(UdpSourceOptions.JOURNAL_ENABLED));
        setJournalDirectory(config.get(UdpSourceOptions.JOURNAL_DIR));
        setJournalMaxBytes(config.get(UdpSourceOptions.JOURNAL_MAX_BYTES).getBytes());
        setJournalSegmentSize(config.get(UdpSourceOptions.JOURNAL_SEGMENT_SIZE).getBytes());
        setJournalSync(
                config.get(UdpSourceOptions.JOURNAL_SYNC),
                config.get(UdpSourceOptions.JOURNAL_SYNC_INTERVAL));
        setJournalMissing(config.get(UdpSourceOptions.JOURNAL_MISSING));
        setJournalLockTimeout(config.get(UdpSourceOptions.JOURNAL_LOCK_TIMEOUT));
        return this;
    }

    /** Whether readers keep a write-ahead journal (on by default). */
    public UdpSourceBuilder setJournalEnabled(boolean enabled) {
        this.journalEnabled = enabled;
        return this;
    }

    /** The directory that holds one journal directory per split. */
    public UdpSourceBuilder setJournalDirectory(String dir) {
        this.journalDir = checkNotNull(dir, "dir");
        return this;
    }

    public UdpSourceBuilder setJournalMaxBytes(long bytes) {
        this.journalMaxBytes = bytes;
        return this;
    }

    public UdpSourceBuilder setJournalSegmentSize(long bytes) {
        this.journalSegmentBytes = bytes;
        return this;
    }

    /** How long a reader waits for the lock of a journal that another reader holds. */
    public UdpSourceBuilder setJournalLockTimeout(Duration timeout) {
        this.journalLockTimeout = checkNotNull(timeout, "timeout");
        return this;
    }

    /** When journal writes are forced to the disk; the interval applies to {@code INTERVAL}. */
    public UdpSourceBuilder setJournalSync(JournalSettings.Sync sync, Duration interval) {
        this.journalSync = checkNotNull(sync, "sync");
        this.journalSyncInterval = checkNotNull(interval, "interval");
        return this;
    }

    public UdpSourceBuilder setJournalMissing(JournalSettings.Missing missing) {
        this.journalMissing = checkNotNull(missing, "missing");
        return this;
    }

    public UdpSourceBuilder setBindAddress(String bindAddress) {
        this.bindAddress = checkNotNull(bindAddress, "bindAddress");
        return this;
    }

    public UdpSourceBuilder setPort(int port) {
        this.port = port;
        return this;
    }

    public UdpSourceBuilder setReceiveBufferSize(long bytes) {
        this.receiveBufferBytes = bytes;
        return this;
    }

    /** How many sockets each reader binds to the port, each with its own receive buffer. */
    public UdpSourceBuilder setSocketsPerReader(int sockets) {
        this.socketsPerReader = sockets;
        return this;
    }

    public UdpSourceBuilder setMaxBatch(int maxBatch) {
        this.maxBatch = maxBatch;
        return this;
    }

    /**
     * How long a reader keeps filling a batch its socket could not fill at once; zero hands it over
     * at once.
     */
    public UdpSourceBuilder setBatchLinger(Duration batchLinger) {
        this.batchLinger = checkNotNull(batchLinger, "batchLinger");
        return this;
    }

    /** Accepts datagrams only from these networks; the default accepts every sender. */
    public UdpSourceBuilder setAllowedSenders(SenderAllowlist allowedSenders) {
        this.allowedSenders = checkNotNull(allowedSenders, "allowedSenders");
        return this;
    }

    public UdpSource build() {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(
                    "source.udp.port=" + port + " is not allowed: use a port from 1 to 65535");
        }
        if (receiveBufferBytes < 65536 || receiveBufferBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "source.udp.receive-buffer="
                            + receiveBufferBytes
                            + " bytes is not allowed: use 64kb to 2gb");
        }
        if (socketsPerReader < 1 || socketsPerReader > MAX_SOCKETS_PER_READER) {
            throw new IllegalArgumentException(
                    "source.udp.sockets-per-reader="
                            + socketsPerReader
                            + " is not allowed: use 1 to "
                            + MAX_SOCKETS_PER_READER);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException(
                    "source.udp.max-batch=" + maxBatch + " is not allowed: use 1 or more");
        }
        if (batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException(
                    "source.udp.batch-linger="
                            + batchLinger.toMillis()
                            + " ms is not allowed: use 0 to 1 s");
        }
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException(
                    "source.udp.bind-address is empty: use an IP address such as 0.0.0.0");
        }
        return new UdpSource(
                bindAddress,
                port,
                (int) receiveBufferBytes,
                socketsPerReader,
                maxBatch,
                batchLinger.toNanos(),
                allowedSenders,
                journalEnabled ? journal() : null);
    }

    private JournalSettings journal() {
        if (journalDir.isBlank()) {
            throw new IllegalArgumentException(
                    "source.udp.journal.dir is empty: use a directory on local disk, or set source.udp.journal.enabled: false");
        }
        if (journalSegmentBytes < (1 << 20) || journalSegmentBytes > (1L << 30)) {
            throw new IllegalArgumentException(
                    "source.udp.journal.segment-size="
                            + journalSegmentBytes
                            + " bytes is not allowed: use 1mb to 1gb");
        }
        if (journalMaxBytes < 2 * journalSegmentBytes) {
            throw new IllegalArgumentException(
                    "source.udp.journal.max-bytes="
                            + journalMaxBytes
                            + " bytes is not allowed: use at least two segments (source.udp.journal.segment-size="
                            + journalSegmentBytes
                            + ")");
        }
        if (journalSync == JournalSettings.Sync.INTERVAL
                && (journalSyncInterval.toMillis() < 1
                        || journalSyncInterval.compareTo(Duration.ofMinutes(1)) > 0)) {
            throw new IllegalArgumentException(
                    "source.udp.journal.sync-interval="
                            + journalSyncInterval.toMillis()
                            + " ms is not allowed: use 1 ms to 1 min");
        }
        if (journalLockTimeout.isNegative()
                || journalLockTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(
                    "source.udp.journal.lock-timeout="
                            + journalLockTimeout.toMillis()
                            + " ms is not allowed: use 0 ms to 1 h");
        }
        return new JournalSettings(
                journalDir,
                journalMaxBytes,
                journalSegmentBytes,
                journalSync,
                journalSyncInterval,
                journalMissing,
                journalLockTimeout);
    }
}
