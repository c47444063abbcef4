package io.telemetry.aggregator.services;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server process started by a launcher: its output goes to a log file, readiness is polled with a
 * deadline, and it is stopped by its own PID (SIGTERM, then SIGKILL).
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + ".log");
        Process process =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new ChildProcess(name, process, log);
    }

    /** A java command running {@code mainClass} with this JVM's class path. */
    static List<String> java(String heap, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command to its end; fails with its output when it does not exit 0. */
    static void run(String name, List<String> command, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        try (ChildProcess child = start(name, command, workDir)) {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException(
                        name + " did not finish in " + timeout + "; see " + child.log);
            }
            if (child.process.exitValue() != 0) {
                throw new IOException(
                        name + " exited with " + child.process.exitValue() + ": " + child.tail());
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** Waits until {@code ready} holds; fails early when the process dies. */
    void awaitReady(BooleanSupplier ready, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException(
                        name
                                + " exited with "
                                + process.exitValue()
                                + " before it was ready: "
                                + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " was not ready within " + timeout + ": " + tail());
            }
            Thread.sleep(50);
        }
    }

    boolean logContains(String text) {
        try {
            return Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** Stops the process: SIGTERM and 15 s to finish, then SIGKILL. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code ready} holds and this process listens on {@code port} itself. */
    void awaitListening(int port, BooleanSupplier ready, Duration timeout)
            throws IOException, InterruptedException {
        awaitReady(() -> ready.getAsBoolean() && listensOn(port), timeout);
    }

    /**
     * Whether this process holds the listening TCP socket of {@code port}: a server that answers
     * there may be another one when this one could not bind.
     */
    boolean listensOn(int port) {
        return Ports.listening(pid(), port);
    }

    /** Starts a server on the ports it is given. */
    interface OnPorts<T> {
        T start(int[] ports) throws IOException, InterruptedException;
    }

    /**
     * Starts a server on {@code count} distinct TCP ports that are free now, and again on other
     * ones when it failed because one of them was taken before the server could bind it (up to five
     * times): a free port can only be found by closing a probe socket, and anything may bind it
     * before the server does.
     */
    static <T> T onFreePorts(int count, OnPorts<T> start) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int[] ports = Ports.freeTcp(count);
            try {
                return start.start(ports);
            } catch (IOException e) {
                if (attempt == 5 || !Ports.anyTaken(ports)) {
                    throw e;
                }
            }
        }
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    /** Whether a GET of {@code url} answers with {@code status}; false when nothing answers. */
    static boolean answers(String url, int status) {
        try {
            return HTTP.send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == status;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body of a GET of {@code url} that answers 200; else an error naming {@code what}. */
    static String get(String url, String what) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> r =
                HTTP.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(what + " failed with " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Finds an executable on the PATH or at one of the given places; null when there is none. */
    static String findExecutable(String name, String... places) {
        for (String place : places) {
            if (new File(place).canExecute()) {
                return place;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }
}
