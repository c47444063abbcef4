package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.journal.DatagramJournal;
import io.telemetry.aggregator.udp.journal.JournalReader;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the reader's sockets in a receiver thread of its own and hands the datagrams to the
 * source's fetcher thread, which calls {@link #fetch()}.
 *
 * <p>Each split binds several sockets to the port ({@code source.udp.sockets-per-reader}); the
 * kernel spreads senders across all the sockets of all readers, and each socket has a receive
 * buffer of its own, so a reader's sockets together hold that many times more of what arrives while
 * the receiver is not running (a collection pause, a busy CPU). The receiver drains the split's
 * sockets in turn into batches, each filled for up to the linger time (see {@link #lingerOn}),
 * appends every datagram to its split's journal, writes the batch to the journal's segment (the
 * page cache) and only then queues it for the fetcher. When the task falls behind and the queue is
 * full, the receiver goes on draining the socket into the journal and drops the batch from memory;
 * the fetcher then reads those datagrams back from the journal, in order, before it takes the queue
 * again. After a restore the fetcher starts at the split's checkpointed position, so it replays the
 * journal the same way. Without a journal the receiver waits while the queue is full, the socket
 * buffer fills, and the kernel drops and counts what does not fit.
 */
final class UdpSplitReader implements SplitReader<JournaledDatagram, UdpSplit> {

    /**
     * More than the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6), so a datagram
     * that fills the buffer was cut.
     */
    static final int RECEIVE_BUFFER_BYTES = 65_536;

    /** The most payload bytes and batches queued in memory per split. */
    private static final long MAX_QUEUED_BYTES = 16 << 20;

    private static final int MAX_QUEUED_BATCHES = 64;

    private static final Logger LOG = LoggerFactory.getLogger(UdpSplitReader.class);
    private static final long SELECT_TIMEOUT_MS = 1_000;
    private static final long WARN_INTERVAL_MS = 60_000;

    private final String bindAddress;
    private final int port;
    private final int socketBufferBytes;
    private final int socketsPerSplit;
    private final int maxBatch;
    private final long lingerNanos;
    private final SenderAllowlist allowedSenders;
    private final UdpReaderMetrics metrics;
    @Nullable private final JournalSettings journalSettings;
    private final Map<String, SplitJournal> journals;

    private final Selector selector;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final Queue<Channel> toRegister = new ConcurrentLinkedQueue<>();

    /** Guards the channels' queues; signalled when a batch is queued, or on a wake-up. */
    private final ReentrantLock lock = new ReentrantLock();

    private final Condition changed = lock.newCondition();
    private final Condition room = lock.newCondition();
    private boolean wokenUp;

    private final Thread receiver;
    private volatile boolean running = true;
    @Nullable private volatile Throwable receiverFailure;

    // Receiver thread only.
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
    private SocketAddress lastSender;
    private String lastSenderText;
    private boolean lastSenderAllowed;
    private long rejectedSinceLog;
    private long lastRejectionLog = Long.MIN_VALUE;
    private long droppedSinceLog;
    private long lastDropLog = Long.MIN_VALUE;
    private long lastSync = System.nanoTime();

    UdpSplitReader(
            String bindAddress,
            int port,
            int socketBufferBytes,
            int socketsPerSplit,
            int maxBatch,
            long lingerNanos,
            SenderAllowlist allowedSenders,
            @Nullable JournalSettings journalSettings,
            Map<String, SplitJournal> journals,
            UdpReaderMetrics metrics) {
        this.lingerNanos = lingerNanos;
        this.allowedSenders = allowedSenders;
        this.bindAddress = bindAddress;
        this.port = port;
        this.socketBufferBytes = socketBufferBytes;
        this.socketsPerSplit = socketsPerSplit;
        this.maxBatch = maxBatch;
        this.journalSettings = journalSettings;
        this.journals = journals;
        this.metrics = metrics;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a selector for the UDP reader", e);
        }
        metrics.registerKernelDrops(this::kernelDrops);
        metrics.registerJournal(this::journalBytes, this::backlogBytes);
        this.receiver = new Thread(this::receive, "UDP receiver on port " + port);
        receiver.setDaemon(true);
        receiver.start();
    }

    /** One split: its sockets, its journal (null when off), and what is queued for the fetcher. */
    private static final class Channel {
        final String splitId;
        final UdpSocket[] sockets;

        /** Receiver thread only: the socket the next drain starts with. */
        int nextSocket;

        @Nullable final SplitJournal journal;

        // Guarded by the reader's lock.
        final ArrayDeque<DatagramBatch> queue = new ArrayDeque<>();
        long queuedBytes;

        /**
         * Journaled datagrams up to here may be in no queued batch: the fetcher reads them back.
         */
        long spilledEnd;

        /** The position of the next datagram to hand over (written by the fetcher). */
        volatile long next;

        final long openedAt = System.nanoTime();
        boolean replaying;

        // Fetcher thread only: the arrival time of the journaled datagram at peekedPosition.
        long peekedPosition = UdpSplit.NO_POSITION;
        long peekedArrival;

        Channel(String splitId, UdpSocket[] sockets, @Nullable SplitJournal journal) {
            this.splitId = splitId;
            this.sockets = sockets;
            this.journal = journal;
            this.next = journal == null ? UdpSplit.NO_POSITION : journal.firstPosition;
            this.spilledEnd = journal == null ? UdpSplit.NO_POSITION : journal.replayEnd;
            this.replaying = journal != null && next < journal.replayEnd;
        }
    }

    @Override
    public RecordsWithSplitIds<JournaledDatagram> fetch() throws IOException {
        for (int round = 0; round < 2; round++) {
            Throwable failure = receiverFailure;
            if (failure != null) {
                throw new IOException("The UDP receiver failed: " + failure.getMessage(), failure);
            }
            DatagramBatch batch =
                    channels.size() == 1 ? poll(channels.get(0), Long.MAX_VALUE) : pollEarliest();
            if (batch != null) {
                return batch;
            }
            lock.lock();
            try {
                if (!wokenUp && !anyWork()) {
                    changed.await(SELECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                if (wokenUp) {
                    // New splits or a shutdown: let the fetcher look around.
                    wokenUp = false;
                    return DatagramBatch.empty();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return DatagramBatch.empty();
            } finally {
                lock.unlock();
            }
        }
        return DatagramBatch.empty();
    }

    /**
     * With several splits, the next batch of the split whose next datagram arrived first, ending
     * before the datagram that arrived after the next one of any other split: the splits' datagrams
     * reach the task in the order they arrived, also when the fetcher reads them back from several
     * journals (a restore at a lower parallelism, catching up after a stall). The watermark, which
     * follows the records' event times after parsing, then advances as it did when they arrived,
     * and no split's datagrams turn late because another split's were read back first.
     */
    @Nullable
    private DatagramBatch pollEarliest() throws IOException {
        Channel earliest = null;
        long earliestArrival = Long.MAX_VALUE;
        long nextArrival = Long.MAX_VALUE;
        for (Channel channel : channels) {
            long arrival = nextArrival(channel);
            if (arrival == Long.MAX_VALUE) {
                continue;
            }
            if (earliest == null || arrival < earliestArrival) {
                nextArrival = earliestArrival;
                earliest = channel;
                earliestArrival = arrival;
            } else if (arrival < nextArrival) {
                nextArrival = arrival;
            }
        }
        return earliest == null ? null : poll(earliest, nextArrival);
    }

    /** When the channel's next datagram arrived; {@code Long.MAX_VALUE} when it has none. */
    private long nextArrival(Channel channel) throws IOException {
        long from;
        long limit;
        lock.lock();
        try {
            DatagramBatch head = null;
            for (DatagramBatch batch : channel.queue) {
                // As poll() takes them: batches the fetcher has read back already do not count.
                if (channel.journal == null || batch.endPosition() > channel.next) {
                    head = batch;
                    break;
                }
            }
            if (channel.journal == null) {
                return head != null ? head.arrivalAfter(Long.MIN_VALUE) : Long.MAX_VALUE;
            }
            if (head != null && head.startPosition <= channel.next) {
                return head.arrivalAfter(channel.next);
            }
            from = channel.next;
            limit = head != null ? head.startPosition : channel.spilledEnd;
            if (limit <= from) {
                return Long.MAX_VALUE;
            }
        } finally {
            lock.unlock();
        }
        if (channel.peekedPosition != from) {
            try (JournalReader reader = channel.journal.journal.read(from, limit)) {
                UdpDatagram datagram = reader.next();
                if (datagram == null) {
                    return Long.MAX_VALUE;
                }
                channel.peekedPosition = from;
                channel.peekedArrival = datagram.receivedAt;
            }
        }
        return channel.peekedArrival;
    }

    private boolean anyWork() {
        for (Channel channel : channels) {
            if (!channel.queue.isEmpty()
                    || (channel.journal != null && channel.spilledEnd > channel.next)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The channel's next batch: the queued one when it continues where the fetcher is, else the
     * datagrams before it read back from the journal; null when there is nothing.
     */
    @Nullable
    private DatagramBatch poll(Channel channel, long arrivedBy) throws IOException {
        long from;
        long limit;
        lock.lock();
        try {
            DatagramBatch head = channel.queue.peek();
            if (channel.journal == null) {
                if (head != null) {
                    dequeue(channel);
                }
                return head;
            }
            while (head != null && head.endPosition() <= channel.next) {
                // Read back from the journal already.
                dequeue(channel);
                head = channel.queue.peek();
            }
            if (head != null && head.startPosition <= channel.next) {
                dequeue(channel);
                head.skipThrough(channel.next);
                advance(channel, head);
                return head;
            }
            from = channel.next;
            limit = head != null ? head.startPosition : channel.spilledEnd;
            if (limit <= from) {
                return null;
            }
        } finally {
            lock.unlock();
        }
        DatagramBatch batch = new DatagramBatch(channel.splitId, maxBatch);
        batch.startPosition = from;
        try (JournalReader reader = channel.journal.journal.read(from, limit)) {
            UdpDatagram datagram;
            while (!batch.isFull() && (datagram = reader.next()) != null) {
                if (batch.size() > 0 && datagram.receivedAt > arrivedBy) {
                    break;
                }
                batch.add(datagram, reader.position());
            }
        }
        if (batch.size() == 0) {
            throw new IOException(
                    "Journal "
                            + channel.journal.journal.directory()
                            + " holds no datagram from position "
                            + from
                            + " to "
                            + limit);
        }
        advance(channel, batch);
        return batch;
    }

    private void dequeue(Channel channel) {
        DatagramBatch batch = channel.queue.poll();
        channel.queuedBytes -= batch.payloadBytes();
        room.signalAll();
    }

    /** Moves the channel past a batch handed over, counting what an earlier reader had read. */
    private void advance(Channel channel, DatagramBatch batch) {
        if (batch.remaining() == 0) {
            return;
        }
        long before = channel.next;
        channel.next = batch.endPosition();
        if (channel.replaying) {
            long replayEnd = channel.journal.replayEnd;
            long replayed =
                    batch.endPosition() <= replayEnd
                            ? batch.remaining()
                            : batch.countThrough(replayEnd);
            metrics.replayed(replayed);
            if (channel.next >= replayEnd) {
                channel.replaying = false;
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - channel.openedAt);
                metrics.replayTook(millis);
                LOG.info(
                        "UDP split {}: replayed its journal from position {} to {} in {} ms",
                        channel.splitId,
                        channel.journal.firstPosition,
                        replayEnd,
                        millis);
            }
        }
        if (before > channel.next) {
            throw new IllegalStateException("The UDP reader's position went backwards");
        }
    }

    // ---------------------------------------------------------------- receiver thread

    private void receive() {
        try {
            while (running) {
                Channel added;
                while ((added = toRegister.poll()) != null) {
                    for (UdpSocket socket : added.sockets) {
                        socket.channel().register(selector, SelectionKey.OP_READ);
                    }
                }
                selector.select(SELECT_TIMEOUT_MS);
                selector.selectedKeys().clear();
                for (Channel channel : channels) {
                    drainAll(channel);
                }
                syncIfDue();
            }
        } catch (Throwable t) {
            if (running) {
                LOG.error("The UDP receiver failed", t);
                receiverFailure = t;
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void drainAll(Channel channel) throws IOException, InterruptedException {
        while (running) {
            DatagramBatch batch = new DatagramBatch(channel.splitId, maxBatch);
            batch.startPosition =
                    channel.journal == null ? UdpSplit.NO_POSITION : channel.journal.journal.end();
            try {
                drain(channel, batch);
                if (batch.size() == 0) {
                    return;
                }
                lingerOn(channel, batch);
                if (channel.journal != null) {
                    channel.journal.journal.flush();
                }
            } catch (IOException e) {
                if (channel.journal == null) {
                    throw e;
                }
                // The journal's disk failed (full?): what it wrote is handed on, what it could not
                // write is dropped and counted.
                DatagramJournal journal = channel.journal.journal;
                journal.discardUnflushed();
                journalDropped(batch.keepThrough(journal.flushedEnd()), e.getMessage());
                if (batch.size() == 0) {
                    continue;
                }
            }
            handOver(channel, batch);
            if (!batch.isFull()) {
                return;
            }
        }
    }

    /**
     * Keeps filling a batch that the socket could not fill at once for up to {@code lingerNanos},
     * sleeping between drains: under steady traffic the receiver then wakes, and wakes the task
     * thread, once per linger instead of once per burst of datagrams.
     */
    private void lingerOn(Channel channel, DatagramBatch batch) throws IOException {
        if (lingerNanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + lingerNanos;
        long left;
        while (!batch.isFull() && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            drain(channel, batch);
        }
    }

    /**
     * Fills the batch from the split's sockets, each drained until it is empty before the next, and
     * returns once every socket was found empty in turn or the batch is full. A full batch moves
     * the next drain on to the next socket, so a socket that never empties starves no other.
     */
    private void drain(Channel channel, DatagramBatch batch) throws IOException {
        UdpSocket[] sockets = channel.sockets;
        int current = channel.nextSocket;
        int emptyInTurn = 0;
        while (true) {
            if (batch.isFull()) {
                channel.nextSocket = (current + 1) % sockets.length;
                return;
            }
            buffer.clear();
            SocketAddress sender = sockets[current].receive(buffer);
            if (sender == null) {
                if (++emptyInTurn == sockets.length) {
                    channel.nextSocket = current;
                    return;
                }
                current = (current + 1) % sockets.length;
                continue;
            }
            emptyInTurn = 0;
            long receivedAt = System.currentTimeMillis();
            buffer.flip();
            int length = buffer.remaining();
            String senderText = senderText(sender);
            if (!lastSenderAllowed) {
                rejected(senderText, receivedAt);
                continue;
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            metrics.received(length);
            UdpDatagram datagram =
                    new UdpDatagram(
                            payload, senderText, receivedAt, length == RECEIVE_BUFFER_BYTES);
            long position = UdpSplit.NO_POSITION;
            if (channel.journal != null) {
                try {
                    position = channel.journal.journal.append(datagram);
                } catch (IOException e) {
                    journalDropped(1, e.getMessage()); // not in the batch: counted here
                    throw e;
                }
                if (position < 0) {
                    journalDropped(1, "it holds source.udp.journal.max-bytes");
                    continue;
                }
            }
            batch.add(datagram, position);
        }
    }

    /**
     * Queues a journaled batch for the fetcher, or leaves it to the journal when the queue is full.
     */
    private void handOver(Channel channel, DatagramBatch batch) throws InterruptedException {
        lock.lock();
        try {
            if (channel.journal == null) {
                while (running && queueFull(channel, batch)) {
                    room.await(SELECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            }
            if (channel.journal != null && queueFull(channel, batch)) {
                channel.spilledEnd = batch.endPosition();
            } else {
                channel.queue.add(batch);
                channel.queuedBytes += batch.payloadBytes();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static boolean queueFull(Channel channel, DatagramBatch batch) {
        return !channel.queue.isEmpty()
                && (channel.queue.size() >= MAX_QUEUED_BATCHES
                        || channel.queuedBytes + batch.payloadBytes() > MAX_QUEUED_BYTES);
    }

    private void syncIfDue() {
        if (journalSettings == null
                || journalSettings.sync() != JournalSettings.Sync.INTERVAL
                || System.nanoTime() - lastSync < journalSettings.syncInterval().toNanos()) {
            return;
        }
        lastSync = System.nanoTime();
        for (Channel channel : channels) {
            try {
                channel.journal.journal.forceFlushed();
            } catch (IOException e) {
                LOG.warn(
                        "Cannot force the journal {} to the disk: {}",
                        channel.journal.name,
                        e.getMessage());
            }
        }
    }

    private void journalDropped(long count, String why) {
        metrics.dropped(count);
        droppedSinceLog += count;
        long now = System.currentTimeMillis();
        if (now - lastDropLog >= WARN_INTERVAL_MS) {
            LOG.warn(
                    "Dropped {} datagram(s) the journal could not take ({}); {} in all (journal_dropped_datagrams)",
                    droppedSinceLog,
                    why,
                    metrics.droppedCount());
            droppedSinceLog = 0;
            lastDropLog = now;
        }
    }

    /** A datagram from outside the allowlist: counted, and logged at most once a minute. */
    private void rejected(String sender, long now) {
        metrics.rejected();
        rejectedSinceLog++;
        if (now - lastRejectionLog >= WARN_INTERVAL_MS) {
            LOG.warn(
                    "Dropped {} datagram(s) from senders outside source.udp.allowed-senders ({}), the latest from {}",
                    rejectedSinceLog,
                    allowedSenders,
                    sender);
            rejectedSinceLog = 0;
            lastRejectionLog = now;
        }
    }

    /**
     * Formats the sender and checks it against the allowlist once per sender change; the JDK hands
     * back the same address object.
     */
    private String senderText(SocketAddress sender) {
        if (sender != lastSender && !sender.equals(lastSender)) {
            InetSocketAddress inet = (InetSocketAddress) sender;
            lastSenderAllowed = allowedSenders.allows(inet.getAddress());
            String host = inet.getAddress().getHostAddress();
            lastSenderText =
                    inet.getAddress() instanceof Inet6Address
                            ? "[" + host + "]:" + inet.getPort()
                            : host + ":" + inet.getPort();
        }
        lastSender = sender;
        return lastSenderText;
    }

    // ---------------------------------------------------------------- fetcher thread

    @Override
    public void handleSplitsChanges(SplitsChange<UdpSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (UdpSplit split : splitsChanges.splits()) {
            try {
                UdpSocket[] sockets = openSockets();
                UdpSocket.logBuffers(split.splitId(), sockets, bindAddress, socketBufferBytes);
                Channel channel =
                        new Channel(split.splitId(), sockets, journals.get(split.splitId()));
                channels.add(channel);
                toRegister.add(channel);
                selector.wakeup();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    /** A split's sockets, all on the port the first one bound (the port asked, or a free one). */
    private UdpSocket[] openSockets() throws IOException {
        UdpSocket[] sockets = new UdpSocket[socketsPerSplit];
        try {
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] =
                        UdpSocket.open(
                                bindAddress, i == 0 ? port : sockets[0].port(), socketBufferBytes);
            }
        } catch (IOException e) {
            for (UdpSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
            throw e;
        }
        return sockets;
    }

    private long kernelDrops() {
        long drops = 0;
        for (Channel channel : channels) {
            for (UdpSocket socket : channel.sockets) {
                drops += socket.kernelDrops();
            }
        }
        return drops;
    }

    private long journalBytes() {
        long bytes = 0;
        for (Channel channel : channels) {
            if (channel.journal != null) {
                bytes += channel.journal.journal.bytesOnDisk();
            }
        }
        return bytes;
    }

    private long backlogBytes() {
        long bytes = 0;
        for (Channel channel : channels) {
            if (channel.journal != null) {
                bytes += Math.max(0, channel.journal.journal.flushedEnd() - channel.next);
            }
        }
        return bytes;
    }

    @Override
    public void wakeUp() {
        lock.lock();
        try {
            wokenUp = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        selector.wakeup();
        lock.lock();
        try {
            room.signalAll();
        } finally {
            lock.unlock();
        }
        receiver.join(10_000);
        IOException failure = null;
        for (Channel channel : channels) {
            for (UdpSocket socket : channel.sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        selector.close();
        if (failure != null) {
            throw failure;
        }
    }
}
