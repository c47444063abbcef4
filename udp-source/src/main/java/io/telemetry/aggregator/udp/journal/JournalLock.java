package io.telemetry.aggregator.udp.journal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a journal to one writer: a lock on the file {@value #FILE} in the journal's directory,
 * taken when the journal is opened and released when it is closed.
 *
 * <p>Between processes this is the operating system's file lock ({@code fcntl}): the kernel
 * releases it when the holding process dies, so a TaskManager killed with {@code kill -9} holds
 * nothing; on NFS the server releases a lost client's lock when that client's lease expires. The
 * file holds the holder's description (host, process, job, split, since when) for the error a
 * contender reports.
 *
 * <p>Within one JVM the lock is kept in the JVM's system properties as well, because two readers of
 * one TaskManager (two jobs in its slots) may come from different class loaders, and closing any
 * descriptor of a locked file releases the process's lock on it: the second reader must not open
 * the file at all while the first holds it.
 */
final class JournalLock implements AutoCloseable {

    static final String FILE = "lock";

    private static final Logger LOG = LoggerFactory.getLogger(JournalLock.class);
    private static final String HELD_IN_THIS_JVM = "telemetry-aggregator.journal-lock:";
    private static final long RETRY_MILLIS = 50;
    private static final String PROCESS = process();

    private final String key;
    private final String owner;
    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(String key, String owner, FileChannel channel, FileLock lock) {
        this.key = key;
        this.owner = owner;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of the journal in {@code dir} (an existing directory) for {@code holder},
     * waiting up to {@code timeout} while another reader holds it.
     *
     * @throws JournalLockedException when it is still held after {@code timeout}
     */
    static JournalLock acquire(Path dir, String holder, Duration timeout) throws IOException {
        Path real = dir.toRealPath();
        String key = HELD_IN_THIS_JVM + real;
        String owner = PROCESS + ", " + holder + ", since " + Instant.now();
        Path file = real.resolve(FILE);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean warned = false;
        while (true) {
            String heldBy = (String) System.getProperties().putIfAbsent(key, owner);
            if (heldBy == null) {
                JournalLock taken = tryLock(key, owner, file);
                if (taken != null) {
                    if (warned) {
                        LOG.info("Took the lock of the journal in {}", real);
                    }
                    return taken;
                }
                // Read while this JVM's entry is ours: no reader of this JVM holds the file now.
                heldBy = holderIn(file);
                System.getProperties().remove(key, owner);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new JournalLockedException(
                        "the journal in "
                                + real
                                + " is locked by "
                                + heldBy
                                + ": another running job reads the same split (give each job its own"
                                + " source.udp.journal.dir), or, on network storage, the lock of a lost"
                                + " TaskManager has not expired yet (raise source.udp.journal.lock-timeout,"
                                + " now "
                                + timeout.toMillis()
                                + " ms, above the storage's lease time)");
            }
            if (!warned) {
                LOG.warn(
                        "The journal in {} is locked by {}; waiting up to {} ms for its lock",
                        real,
                        heldBy,
                        timeout.toMillis());
                warned = true;
            }
            try {
                Thread.sleep(Math.min(RETRY_MILLIS, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(
                        "Interrupted waiting for the lock of the journal in " + real);
            }
        }
    }

    /** The lock, or null when another process holds it. */
    private static JournalLock tryLock(String key, String owner, Path file) throws IOException {
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                throw new IOException(
                        "Cannot lock " + file + " (the file system must support file locks)", e);
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            byte[] text = (owner + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
            return new JournalLock(key, owner, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            System.getProperties().remove(key, owner);
            throw e;
        }
    }

    /** Who the lock file names as its holder (read without opening it for writing). */
    private static String holderIn(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another process" : text;
        } catch (NoSuchFileException e) {
            return "another process";
        } catch (IOException e) {
            return "another process (" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static String process() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return host + " pid " + ProcessHandle.current().pid();
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            try {
                channel.close();
            } finally {
                System.getProperties().remove(key, owner);
            }
        }
    }
}
