package io.telemetry.aggregator.services;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * TCP ports for servers that must be told their port before they start: distinct ports that are
 * free now, whether one was taken since, and whether a given process listens on one. A server
 * started on such a port is started again on fresh ones when its port was taken before it bound it,
 * and counts as ready only once its own process holds the listening socket.
 */
public final class Ports {

    private Ports() {}

    /** Distinct TCP ports that are free now: every probe stays open until all are found. */
    public static int[] freeTcp(int count) throws IOException {
        List<ServerSocket> probes = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket probe = new ServerSocket(0);
                probes.add(probe);
                ports[i] = probe.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket probe : probes) {
                probe.close();
            }
        }
    }

    /** Whether any of the ports cannot be bound on loopback now. */
    public static boolean anyTaken(int... ports) {
        for (int port : ports) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    /** Whether process {@code pid} holds a listening TCP socket on {@code port} (Linux /proc). */
    public static boolean listening(long pid, int port) {
        Set<String> sockets = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // local_address ends with the port in hex; state 0A is LISTEN; then the inode
                    if (f.length > 9 && f[3].equals("0A") && f[1].endsWith(hexPort)) {
                        sockets.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException e) {
                // no such table (no IPv6)
            }
        }
        if (sockets.isEmpty()) {
            return false;
        }
        try (DirectoryStream<Path> fds =
                Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
