package io.telemetry.aggregator.operators.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NumbersTest {

    /**
     * Every decimal the text formats accept is the exact double {@link Double#parseDouble} gives.
     */
    @Test
    void decimalsReadAsJavaReadsThem() {
        List<String> texts =
                new ArrayList<>(
                        List.of(
                                "0.1",
                                "320.5",
                                "-0.0",
                                "+7",
                                "1e308",
                                "1E+308",
                                "1.7976931348623157e308",
                                "4.9e-324",
                                "2.2250738585072011e-308",
                                "9007199254740993",
                                "9007199254740993.0",
                                "123456789012345678901234567890.5",
                                "1.00000000000000011102230246251565404236316680908203125",
                                ".5",
                                "5."));
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) {
                texts.add(Double.toString(d));
            }
            texts.add(String.format(Locale.ROOT, "%.6f", random.nextDouble() * 1e4));
            texts.add(String.format(Locale.ROOT, "%.17g", random.nextGaussian()));
        }
        for (String text : texts) {
            String line = "m:" + text + "|ms";
            double parsed = Numbers.parseDecimal(line, 2, line.length() - 3);
            assertThat(Double.doubleToRawLongBits(parsed))
                    .as(text)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
    }

    @Test
    void whatIsNotADecimalIsNaNAndWhatIsTooLargeIsInfinite() {
        for (String text :
                List.of("", "-", ".", "1e", "1e+", "0x1p3", "NaN", "Infinity", "1d", "1 ")) {
            assertThat(Numbers.parseDecimal(text, 0, text.length())).as(text).isNaN();
        }
        assertThat(Numbers.parseDecimal("1e400", 0, 5)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Numbers.parseDecimal("-1e400", 0, 6)).isEqualTo(Double.NEGATIVE_INFINITY);
    }
}
