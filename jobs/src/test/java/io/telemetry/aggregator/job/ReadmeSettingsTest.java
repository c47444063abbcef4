package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table is the one the code generates, so the two cannot drift. */
class ReadmeSettingsTest {

    private static final String BEGIN = "<!-- settings-table:begin -->\n";
    private static final String END = "<!-- settings-table:end -->";

    @Test
    void readmeListsEverySettingAsTheCodeDefinesIt() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("settings table markers in README.md").isNotNegative();
        assertThat(readme.substring(begin + BEGIN.length(), end))
                .as("README settings table; regenerate it from SettingsHelp.markdownTable()")
                .isEqualTo(SettingsHelp.markdownTable());
    }
}
