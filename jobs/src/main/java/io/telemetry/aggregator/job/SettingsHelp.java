package io.telemetry.aggregator.job;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * The job's settings as users read them: the {@code --help} text and the README's settings table,
 * both made from the options the job reads ({@link JobOptions#ALL}), so they cannot drift.
 */
final class SettingsHelp {

    private SettingsHelp() {}

    /** The --help text, made from the same options the job reads. */
    static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("telemetry-aggregator: aggregates UDP telemetry in event-time windows.\n\n")
                .append("Usage: [--config settings.yaml] [--<setting> <value> ...]\n")
                .append("Precedence: the YAML file < environment variables < arguments.\n")
                .append(
                        "Each setting can also be set as TELEMETRY_<SETTING> (e.g. TELEMETRY_WINDOW_SIZE=10s);\n")
                .append(
                        "seed variables AGGREGATOR_PORT, AGGREGATION_INTERVAL (seconds) and STORAGE_TYPE still work.\n")
                .append(
                        "Flink settings (parallelism.default, rest.port, execution.checkpointing.interval, ...) pass through.\n\n");
        for (ConfigOption<?> option : JobOptions.ALL) {
            sb.append("  --")
                    .append(option.key())
                    .append(" (default: ")
                    .append(defaultText(option))
                    .append(")\n      ")
                    .append(description(option))
                    .append('\n');
        }
        return sb.toString();
    }

    /** The README's settings table, made from the same options the job reads. */
    static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| setting | environment variable | default | description |\n");
        sb.append("| --- | --- | --- | --- |\n");
        for (ConfigOption<?> option : JobOptions.ALL) {
            sb.append("| `")
                    .append(option.key())
                    .append("` | `")
                    .append(JobConfiguration.environmentName(option.key()))
                    .append("` | `")
                    .append(defaultText(option))
                    .append("` | ")
                    .append(description(option).replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** An option's description as plain text. */
    static String description(ConfigOption<?> option) {
        return new HtmlFormatter()
                .format(option.description())
                .replaceAll("<[^>]*>", "")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    static String defaultText(ConfigOption<?> option) {
        Object def = option.defaultValue();
        if (def == null) {
            return "none";
        }
        if (def instanceof List) {
            List<?> list = (List<?>) def;
            return list.isEmpty()
                    ? "none"
                    : list.stream()
                            .map(
                                    o ->
                                            o instanceof Enum
                                                    ? o.toString().toLowerCase(Locale.ROOT)
                                                    : String.valueOf(o))
                            .collect(Collectors.joining(";"));
        }
        if (def instanceof Duration) {
            Duration d = (Duration) def;
            return d.isZero()
                    ? "0s"
                    : d.toMillis() % 60_000 == 0
                            ? d.toMinutes() + "min"
                            : d.toMillis() % 1000 == 0 ? d.getSeconds() + "s" : d.toMillis() + "ms";
        }
        if (def instanceof Enum) {
            return def.toString().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return String.valueOf(def);
    }
}
