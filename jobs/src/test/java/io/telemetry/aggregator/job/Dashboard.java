package io.telemetry.aggregator.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Grafana dashboard's queries, with its variables filled in as Grafana would. */
final class Dashboard {

    /** One Prometheus query of a panel. */
    static final class Query {
        final String panel;
        private final String expr;

        Query(String panel, String expr) {
            this.panel = panel;
            this.expr = expr;
        }

        /** The expression with {@code $job} set to the job name. */
        String expr(String job) {
            return expr.replace("$job", job);
        }
    }

    private final JsonNode dashboard;

    private Dashboard(JsonNode dashboard) {
        this.dashboard = dashboard;
    }

    static Dashboard load(Path file) throws IOException {
        return new Dashboard(new ObjectMapper().readTree(file.toFile()));
    }

    List<Query> prometheusQueries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    queries.add(
                            new Query(panel.path("title").asText(), target.path("expr").asText()));
                }
            }
        }
        return queries;
    }

    /** The {@code index}th query of the panel titled {@code title}. */
    String expr(String title, int index, String job) {
        List<Query> ofPanel = new ArrayList<>();
        for (Query q : prometheusQueries()) {
            if (q.panel.equals(title)) {
                ofPanel.add(q);
            }
        }
        if (index >= ofPanel.size()) {
            throw new IllegalArgumentException("no query " + index + " in panel " + title);
        }
        return ofPanel.get(index).expr(job);
    }

    /** The query of the {@code metric} variable, which reads PostgreSQL. */
    String postgresVariableQuery() {
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("name").asText().equals("metric")) {
                return variable.path("query").asText();
            }
        }
        throw new IllegalStateException("no metric variable");
    }

    /**
     * The PostgreSQL panel's SQL over the last six hours, with {@code $metric} set to {@code
     * metrics} (an SQL list, e.g. {@code 'a','b'}).
     */
    String postgresPanelQuery(String metrics) {
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("rawSql")) {
                    return target.path("rawSql")
                            .asText()
                            .replace(
                                    "$__timeFilter(window_start)",
                                    "window_start BETWEEN now() - interval '6 hours' AND now()")
                            .replace("$metric", metrics);
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL panel");
    }
}
