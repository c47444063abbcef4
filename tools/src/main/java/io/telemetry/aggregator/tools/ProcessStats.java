package io.telemetry.aggregator.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and peak memory of a process, from /proc. */
public final class ProcessStats {

    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {}

    /** User plus system CPU seconds of the process and its threads so far. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Peak resident memory (VmHWM) in MiB since the start or the last {@link #resetPeak}. */
    public static double peakRssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return Double.NaN;
    }

    /**
     * Bytes the process caused to be written to storage so far ({@code write_bytes} of {@code
     * /proc/PID/io}: counted when it dirties page-cache pages of a file); NaN when unreadable.
     */
    public static double writeBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not permitted
        }
        return Double.NaN;
    }

    /** Starts a new peak measurement (Linux: writing 5 to clear_refs resets VmHWM). */
    public static void resetPeak(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not permitted here: the peak then counts from the start
        }
    }
}
