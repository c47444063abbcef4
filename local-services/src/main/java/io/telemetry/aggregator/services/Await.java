package io.telemetry.aggregator.services;

import java.time.Duration;

/** Waiting for something a real process does, with what was seen last when it does not happen. */
public final class Await {

    /** A condition that may have to ask a server. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** What the test saw, for the message of a timeout; it may have to ask a server too. */
    @FunctionalInterface
    public interface State {
        String describe() throws Exception;
    }

    private Await() {}

    /**
     * Returns as soon as the condition holds; checks it every 100 ms.
     *
     * @throws AssertionError when it still does not hold after the timeout, with the state
     */
    public static void until(Condition condition, Duration timeout, State state) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Timed out after " + timeout + "; last state: " + describe(state));
            }
            Thread.sleep(100);
        }
    }

    private static String describe(State state) {
        try {
            return state.describe();
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }
}
