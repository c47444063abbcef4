package io.telemetry.aggregator.operators.aggregate;

/**
 * One instance of each string seen shortly before: the series keys the window state keeps then
 * share their metric names, sources and tag sets instead of holding a copy each from the record
 * that opened the series (the shuffle makes a new string per record). Direct-mapped and bounded: a
 * new string takes the slot of its hash. Not thread-safe: one per operator instance.
 */
final class CanonicalStrings {

    private final String[] slots;
    private final int mask;

    /**
     * @param slots the number of strings kept, a power of two
     */
    CanonicalStrings(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, not " + slots);
        }
        this.slots = new String[slots];
        this.mask = slots - 1;
    }

    /** The instance kept of a string equal to {@code s}, or {@code s}, now kept. */
    String of(String s) {
        int hash = s.hashCode();
        int slot = (hash ^ (hash >>> 16)) & mask;
        String kept = slots[slot];
        if (kept != null && kept.equals(s)) {
            return kept;
        }
        slots[slot] = s;
        return s;
    }
}
