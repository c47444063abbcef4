package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;

/**
 * One key object for each series seen before: the window state keeps a key per series and window,
 * and a series that comes back in the next window then reuses the key (and its strings) of the last
 * one instead of holding a new copy from the shuffle. Kept keys are old objects to the collector,
 * so a window's young collections copy only its accumulators and state entries.
 *
 * <p>Bounded: a hash table of {@code slots} keys in which a key looks at {@value #WAYS} slots from
 * its hash; when all are taken by other keys it replaces one of them in turn. A key not found is a
 * new object whose strings are shared through {@link CanonicalStrings}. Not thread-safe: one per
 * operator instance.
 */
final class CanonicalKeys {

    /** Slots a key may take, from the one of its hash on. */
    static final int WAYS = 4;

    private final SeriesKey[] slots;
    private final int mask;
    private final CanonicalStrings strings;
    private int victim;

    /**
     * @param slots the number of keys kept, a power of two
     */
    CanonicalKeys(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, not " + slots);
        }
        this.slots = new SeriesKey[slots];
        this.mask = slots - 1;
        this.strings = new CanonicalStrings(4096);
    }

    /** The key kept equal to the given fields, or a new one, now kept. */
    SeriesKey of(String metric, String source, String tags, byte function) {
        int h = metric.hashCode();
        h = 31 * h + source.hashCode();
        h = 31 * h + tags.hashCode();
        h = 31 * h + function;
        int home = (h ^ (h >>> 16)) & mask;
        int free = -1;
        for (int i = 0; i < WAYS; i++) {
            int slot = (home + i) & mask;
            SeriesKey k = slots[slot];
            if (k == null) {
                if (free < 0) {
                    free = slot;
                }
            } else if (k.function == function
                    && k.metric.equals(metric)
                    && k.source.equals(source)
                    && k.tags.equals(tags)) {
                return k;
            }
        }
        SeriesKey key =
                new SeriesKey(strings.of(metric), strings.of(source), strings.of(tags), function);
        if (free < 0) {
            free = (home + (victim++ & (WAYS - 1))) & mask;
        }
        slots[free] = key;
        return key;
    }
}
