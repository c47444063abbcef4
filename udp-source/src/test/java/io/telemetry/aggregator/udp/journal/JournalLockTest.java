package io.telemetry.aggregator.udp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per journal, between threads of one JVM and between processes. */
class JournalLockTest {

    private static final long MB = 1 << 20;
    private static final String THIS_PROCESS = " pid " + ProcessHandle.current().pid() + ", ";

    @TempDir Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killProcesses() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }

    private DatagramJournal open(String holder, Duration timeout) throws Exception {
        return DatagramJournal.open(dir, 64 * MB, MB, 0, holder, timeout);
    }

    private Process process(String mode) throws Exception {
        return start(processes, mode, dir);
    }

    /** Starts {@link JournalLockProcess} with {@code args} after its mode. */
    static Process start(List<Process> started, String mode, Path dir, String... args)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JournalLockProcess.class.getName());
        command.add(mode);
        command.add(dir.toString());
        command.addAll(List.of(args));
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    static String firstLine(Process p) throws Exception {
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return out.readLine();
    }

    @Test
    void aSecondWriterIsRefusedWithTheHoldersNameAndTakesTheLockOnceTheFirstCloses()
            throws Exception {
        DatagramJournal first = open("job a split udp-0", Duration.ZERO);
        first.append(new UdpDatagram(new byte[] {1}, "10.0.0.1:1", 1, false));
        first.flush();

        assertThatThrownBy(() -> open("job b split udp-0", Duration.ofMillis(200)))
                .isInstanceOf(JournalLockedException.class)
                .hasMessageStartingWith("the journal in " + dir.toRealPath() + " is locked by ")
                .hasMessageContaining(THIS_PROCESS + "job a split udp-0, since ")
                .hasMessageContaining("raise source.udp.journal.lock-timeout, now 200 ms");

        CompletableFuture<DatagramJournal> second =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return open("job a split udp-0", Duration.ofMinutes(1));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        first.close();
        try (DatagramJournal journal = second.get(1, TimeUnit.MINUTES)) {
            assertThat(journal.flushedEnd()).isEqualTo(first.flushedEnd());
        }
    }

    @Test
    void aWaitingWriterTakesTheLockWhenTheHolderCloses() throws Exception {
        DatagramJournal first = open("job a split udp-0", Duration.ZERO);
        CompletableFuture<DatagramJournal> second = new CompletableFuture<>();
        Thread waiting =
                new Thread(
                        () -> {
                            try {
                                second.complete(open("job a split udp-0", Duration.ofMinutes(1)));
                            } catch (Exception e) {
                                second.completeExceptionally(e);
                            }
                        });
        waiting.start();
        // The contender sleeps between attempts only once it has found the lock held.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (waiting.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime())
                    .as("the contender waits for the lock")
                    .isLessThan(deadline);
            assertThat(second).isNotDone();
            Thread.onSpinWait();
        }
        first.close();
        second.get(1, TimeUnit.MINUTES).close();
    }

    @Test
    void aHolderKilledWithSigkillHoldsNothing() throws Exception {
        Process holder = process("hold");
        assertThat(firstLine(holder)).isEqualTo("locked");

        assertThatThrownBy(() -> open("job a split udp-0", Duration.ZERO))
                .isInstanceOf(JournalLockedException.class)
                .hasMessageContaining(" pid " + holder.pid() + ", a journal writer, since ");

        holder.destroyForcibly().waitFor();
        open("job a split udp-0", Duration.ZERO).close();
    }

    /**
     * Closing any descriptor of a locked file releases the process's lock on it: a refused writer
     * of the same JVM must leave the holder's lock in place for other processes.
     */
    @Test
    void aWriterRefusedInTheSameProcessLeavesTheHoldersLockInPlace() throws Exception {
        try (DatagramJournal holder = open("job a split udp-0", Duration.ZERO)) {
            assertThatThrownBy(() -> open("job b split udp-0", Duration.ZERO))
                    .isInstanceOf(JournalLockedException.class);

            Process other = process("try");
            assertThat(firstLine(other))
                    .startsWith("refused: the journal in " + dir.toRealPath() + " is locked by ")
                    .contains(THIS_PROCESS + "job a split udp-0, since ");
        }
        Process after = process("try");
        assertThat(firstLine(after)).isEqualTo("opened");
    }
}
