package io.telemetry.aggregator.udp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The source's settings are checked when the job is built, each with one clear line. */
class UdpSourceBuilderTest {

    @Test
    void theBatchLingerIsFromZeroToOneSecond() {
        assertThatCode(() -> UdpSource.builder().setBatchLinger(Duration.ZERO).build())
                .doesNotThrowAnyException();
        assertThatCode(() -> UdpSource.builder().setBatchLinger(Duration.ofSeconds(1)).build())
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> UdpSource.builder().setBatchLinger(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.udp.batch-linger=-1 ms is not allowed: use 0 to 1 s");
    }

    @Test
    void theBatchLingerComesFromTheConfiguration() {
        Configuration config = new Configuration();
        config.set(UdpSourceOptions.BATCH_LINGER, Duration.ofSeconds(5));
        assertThatThrownBy(() -> UdpSource.builder().setConfiguration(config).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.udp.batch-linger=5000 ms is not allowed: use 0 to 1 s");
    }

    @Test
    void theJournalLockTimeoutIsFromZeroToOneHour() {
        Configuration config = new Configuration();
        config.set(UdpSourceOptions.JOURNAL_LOCK_TIMEOUT, Duration.ZERO);
        assertThatCode(() -> UdpSource.builder().setConfiguration(config).build())
                .doesNotThrowAnyException();
        config.set(UdpSourceOptions.JOURNAL_LOCK_TIMEOUT, Duration.ofMinutes(61));
        assertThatThrownBy(() -> UdpSource.builder().setConfiguration(config).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "source.udp.journal.lock-timeout=3660000 ms is not allowed: use 0 ms to 1 h");
    }

    @Test
    void eachReaderBindsOneToSixtyFourSockets() {
        Configuration config = new Configuration();
        config.set(UdpSourceOptions.SOCKETS_PER_READER, 64);
        assertThatCode(() -> UdpSource.builder().setConfiguration(config).build())
                .doesNotThrowAnyException();
        config.set(UdpSourceOptions.SOCKETS_PER_READER, 0);
        assertThatThrownBy(() -> UdpSource.builder().setConfiguration(config).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source.udp.sockets-per-reader=0 is not allowed: use 1 to 64");
    }
}
