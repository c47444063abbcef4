package io.telemetry.aggregator.operators.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Decimals whose doubles a parser must read exactly as {@link Double#parseDouble} does. */
final class DecimalTexts {

    private DecimalTexts() {}

    /**
     * Decimals valid in JSON and in the text formats alike: the edges of the double range, halfway
     * and long mantissas, and 6,000 random ones in the shapes senders print.
     */
    static List<String> samples() {
        List<String> texts =
                new ArrayList<>(
                        List.of(
                                "0.1",
                                "75.5",
                                "-0.0",
                                "1e308",
                                "1.7976931348623157e308",
                                "4.9e-324",
                                "2.2250738585072011e-308",
                                "2.2250738585072012e-308",
                                "9007199254740993.0",
                                "0.30000000000000004",
                                "123456789012345678901234567890.5",
                                "1.00000000000000011102230246251565404236316680908203125",
                                "3.141592653589793238462643383279502884197"));
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) {
                texts.add(Double.toString(d));
            }
            texts.add(String.format(Locale.ROOT, "%.6f", random.nextDouble() * 1e4));
            texts.add(String.format(Locale.ROOT, "%.17g", random.nextGaussian()));
        }
        return texts;
    }
}
