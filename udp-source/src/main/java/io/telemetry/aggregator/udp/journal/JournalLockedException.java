package io.telemetry.aggregator.udp.journal;

import java.io.IOException;

/** A journal that another reader still held when its lock was waited for long enough. */
public final class JournalLockedException extends IOException {

    private static final long serialVersionUID = 1L;

    JournalLockedException(String message) {
        super(message);
    }
}
