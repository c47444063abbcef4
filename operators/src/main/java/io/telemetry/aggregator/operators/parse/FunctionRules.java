package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.MetricFunction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which functions apply to a record that names none: the first rule whose pattern matches the
 * metric name ({@code *} matches any text), else the default functions.
 */
public final class FunctionRules implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int CACHE_LIMIT = 10_000;

    private final String[] patterns;
    private final MetricFunction[][] functions;
    private final MetricFunction[] defaults;

    private transient Map<String, MetricFunction[]> cache;

    public FunctionRules(
            List<String> patterns, List<MetricFunction[]> functions, MetricFunction[] defaults) {
        this.patterns = patterns.toArray(new String[0]);
        this.functions = functions.toArray(new MetricFunction[0][]);
        this.defaults = defaults;
    }

    /**
     * Parses the {@code parse.function-rules} entries ({@code pattern=fn,fn}).
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static FunctionRules parse(List<String> rules, MetricFunction[] defaults) {
        List<String> patterns = new ArrayList<>();
        List<MetricFunction[]> functions = new ArrayList<>();
        for (String rule : rules) {
            if (rule.isBlank()) {
                continue;
            }
            int eq = rule.lastIndexOf('=');
            if (eq <= 0 || eq == rule.length() - 1) {
                throw new IllegalArgumentException(
                        "parse.function-rules entry '"
                                + rule
                                + "' is not allowed: write pattern=function[,function...], e.g. gpu.*=avg,max");
            }
            patterns.add(rule.substring(0, eq).trim());
            functions.add(parseFunctionList("parse.function-rules", rule.substring(eq + 1)));
        }
        return new FunctionRules(patterns, functions, defaults);
    }

    /** Parses {@code avg,max} into functions, or fails naming the setting and the bad name. */
    public static MetricFunction[] parseFunctionList(String setting, String text) {
        List<MetricFunction> list = new ArrayList<>();
        for (String name : text.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            MetricFunction f = MetricFunction.byName(trimmed);
            if (f == null) {
                throw new IllegalArgumentException(
                        setting
                                + "="
                                + text
                                + " is not allowed: '"
                                + trimmed
                                + "' is not a function; use "
                                + MetricFunction.names());
            }
            if (!list.contains(f)) {
                list.add(f);
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException(
                    setting + "=" + text + " is not allowed: name at least one function");
        }
        return list.toArray(new MetricFunction[0]);
    }

    public MetricFunction[] forMetric(String metric) {
        if (patterns.length == 0) {
            return defaults;
        }
        if (cache == null) {
            cache = new HashMap<>();
        }
        MetricFunction[] found = cache.get(metric);
        if (found == null) {
            found = defaults;
            for (int i = 0; i < patterns.length; i++) {
                if (matches(patterns[i], metric)) {
                    found = functions[i];
                    break;
                }
            }
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(metric, found);
        }
        return found;
    }

    /** Glob match with {@code *} as the only wildcard. */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
