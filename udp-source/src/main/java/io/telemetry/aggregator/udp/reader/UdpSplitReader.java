package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs in the source's fetcher thread: waits on the reader's socket and drains it in batches, each
 * filled for up to the linger time (see {@link #lingerOn}). It never blocks the task thread; when
 * the hand-over queue is full the fetcher stops calling {@link #fetch()}, the socket buffer fills,
 * and the kernel drops and counts what does not fit.
 */
final class UdpSplitReader implements SplitReader<UdpDatagram, UdpSplit> {

    /**
     * More than the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6), so a datagram
     * that fills the buffer was cut.
     */
    static final int RECEIVE_BUFFER_BYTES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(UdpSplitReader.class);
    private static final long SELECT_TIMEOUT_MS = 1_000;
    private static final long REJECTION_LOG_INTERVAL_MS = 60_000;

    private final String bindAddress;
    private final int port;
    private final int socketBufferBytes;
    private final int maxBatch;
    private final long lingerNanos;
    private final SenderAllowlist allowedSenders;
    private final UdpReaderMetrics metrics;

    private final Selector selector;
    private final List<UdpSocket> sockets = new ArrayList<>();
    private final List<String> splitIds = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);

    private int nextSocket;
    private SocketAddress lastSender;
    private String lastSenderText;
    private boolean lastSenderAllowed;
    private long rejectedSinceLog;
    private long lastRejectionLog = Long.MIN_VALUE;

    UdpSplitReader(
            String bindAddress,
            int port,
            int socketBufferBytes,
            int maxBatch,
            long lingerNanos,
            SenderAllowlist allowedSenders,
            UdpReaderMetrics metrics) {
        this.lingerNanos = lingerNanos;
        this.allowedSenders = allowedSenders;
        this.bindAddress = bindAddress;
        this.port = port;
        this.socketBufferBytes = socketBufferBytes;
        this.maxBatch = maxBatch;
        this.metrics = metrics;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a selector for the UDP reader", e);
        }
    }

    @Override
    public RecordsWithSplitIds<UdpDatagram> fetch() throws IOException {
        DatagramBatch batch = new DatagramBatch(maxBatch);
        if (sockets.isEmpty()) {
            selector.select(SELECT_TIMEOUT_MS);
            selector.selectedKeys().clear();
            return batch;
        }
        while (true) {
            for (int i = 0; i < sockets.size() && batch.size() == 0; i++) {
                int index = (nextSocket + i) % sockets.size();
                batch.setSplitId(splitIds.get(index));
                drain(sockets.get(index), batch);
                if (batch.size() > 0) {
                    lingerOn(sockets.get(index), batch);
                }
            }
            nextSocket = (nextSocket + 1) % sockets.size();
            if (batch.size() > 0) {
                return batch;
            }
            int ready = selector.select(SELECT_TIMEOUT_MS);
            selector.selectedKeys().clear();
            if (ready == 0) {
                // Woken up (new splits, shutdown) or timed out: let the fetcher look around.
                return batch;
            }
        }
    }

    /**
     * Keeps filling a batch that the socket could not fill at once for up to {@code lingerNanos},
     * sleeping between drains: under steady traffic the fetcher then wakes, and wakes the task
     * thread, once per linger instead of once per burst of datagrams.
     */
    private void lingerOn(UdpSocket socket, DatagramBatch batch) throws IOException {
        if (lingerNanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + lingerNanos;
        long left;
        while (!batch.isFull() && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            drain(socket, batch);
        }
    }

    private void drain(UdpSocket socket, DatagramBatch batch) throws IOException {
        while (!batch.isFull()) {
            buffer.clear();
            SocketAddress sender = socket.receive(buffer);
            if (sender == null) {
                return;
            }
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
            batch.add(
                    new UdpDatagram(
                            payload, senderText, receivedAt, length == RECEIVE_BUFFER_BYTES));
        }
    }

    /** A datagram from outside the allowlist: counted, and logged at most once a minute. */
    private void rejected(String sender, long now) {
        metrics.rejected();
        rejectedSinceLog++;
        if (now - lastRejectionLog >= REJECTION_LOG_INTERVAL_MS) {
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

    @Override
    public void handleSplitsChanges(SplitsChange<UdpSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (UdpSplit split : splitsChanges.splits()) {
            try {
                UdpSocket socket = UdpSocket.open(bindAddress, port, socketBufferBytes);
                socket.channel().register(selector, SelectionKey.OP_READ);
                sockets.add(socket);
                splitIds.add(split.splitId());
                metrics.registerKernelDrops(this::kernelDrops);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    private long kernelDrops() {
        long drops = 0;
        for (UdpSocket socket : new ArrayList<>(sockets)) {
            drops += socket.kernelDrops();
        }
        return drops;
    }

    /** The port the first socket is bound to (useful when the configured port is 0). */
    int boundPort() {
        return sockets.isEmpty() ? -1 : sockets.get(0).port();
    }

    @Override
    public void wakeUp() {
        selector.wakeup();
    }

    @Override
    public void close() throws Exception {
        IOException failure = null;
        for (UdpSocket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        selector.close();
        if (failure != null) {
            throw failure;
        }
    }
}
