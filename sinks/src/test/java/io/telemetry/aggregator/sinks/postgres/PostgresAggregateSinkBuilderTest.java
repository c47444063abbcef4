package io.telemetry.aggregator.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** {@link PostgresAggregateSink.Builder#build()} names what is missing or wrong in one line. */
class PostgresAggregateSinkBuilderTest {

    @Test
    void aSinkNeedsAConnection() {
        assertThatThrownBy(() -> PostgresAggregateSink.builder().build())
                .hasMessage(
                        "sink.postgres.connection is missing: the postgres sink needs a database,"
                                + " e.g. postgresql://user:password@host:5432/db (or set"
                                + " POSTGRES_CONNECTION_STRING)");
        assertThat(
                        PostgresAggregateSink.builder()
                                .setConnection("postgresql://u:secret@db:5432/telemetry")
                                .build()
                                .upsertSql())
                .startsWith("INSERT INTO telemetry_aggregates ");
    }

    @Test
    void tableBatchAndRetriesAreChecked() {
        PostgresAggregateSink.Builder b =
                PostgresAggregateSink.builder().setConnection("jdbc:postgresql://db:5432/t");
        assertThatThrownBy(() -> b.setTable("drop table; x").build())
                .hasMessage(
                        "sink.postgres.table=drop table; x is not allowed: use [schema.]name with"
                                + " letters, digits and '_'");
        assertThatThrownBy(() -> b.setTable("metrics.aggs").setBatchSize(0).build())
                .hasMessage("sink.postgres.batch-size=0 is not allowed: use 1 or more");
        assertThatThrownBy(() -> b.setBatchSize(1).setMaxRetries(-1).build())
                .hasMessage("sink.postgres.max-retries=-1 is not allowed: use 0 or more");
        assertThatThrownBy(() -> b.setBatchInterval(null)).hasMessage("batchInterval");
    }

    @Test
    void fromTheConfigurationIsTheBuilderWithTheSettings() {
        Configuration config = new Configuration();
        config.set(PostgresSinkOptions.CONNECTION, "postgresql://u:secret@db:5432/telemetry");
        config.set(PostgresSinkOptions.TABLE, "metrics.aggs");
        assertThat(PostgresAggregateSink.from(config).upsertSql())
                .startsWith("INSERT INTO metrics.aggs ");
        config.set(PostgresSinkOptions.BATCH_SIZE, 0);
        assertThatThrownBy(() -> PostgresAggregateSink.from(config))
                .hasMessage("sink.postgres.batch-size=0 is not allowed: use 1 or more");
    }
}
