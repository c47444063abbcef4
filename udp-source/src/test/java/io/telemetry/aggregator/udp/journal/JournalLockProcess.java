package io.telemetry.aggregator.udp.journal;

import java.nio.file.Path;

/**
 * A second process for the journal's tests: {@code hold DIR [FLUSHED UNFLUSHED]} opens the journal,
 * appends {@code FLUSHED} datagrams and flushes them, appends {@code UNFLUSHED} more, prints {@code
 * locked} and holds the journal until its standard input ends; {@code try DIR} prints {@code
 * opened} or {@code refused: } and the error.
 */
public final class JournalLockProcess {

    private JournalLockProcess() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("hold")) {
            try (DatagramJournal journal = DatagramJournal.open(dir, 64 << 20, 8 << 20)) {
                int flushed = args.length > 2 ? Integer.parseInt(args[2]) : 0;
                int unflushed = args.length > 3 ? Integer.parseInt(args[3]) : 0;
                for (int i = 1; i <= flushed + unflushed; i++) {
                    journal.append(DatagramJournalTest.datagram(i));
                    if (i == flushed) {
                        journal.flush();
                    }
                }
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // holds the journal until the test closes the pipe or kills the process
                }
            }
            return;
        }
        try (DatagramJournal journal = DatagramJournal.open(dir, 1 << 20, 1 << 16)) {
            System.out.println("opened");
        } catch (JournalLockedException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
