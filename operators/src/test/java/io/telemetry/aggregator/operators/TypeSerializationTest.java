package io.telemetry.aggregator.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.aggregate.MetricAccumulator;
import io.telemetry.aggregator.operators.aggregate.MetricAccumulatorSerializer;
import io.telemetry.aggregator.udp.UdpDatagram;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type that crosses the network or lives in state has a serializer of its own: with generic
 * types disabled (as the job runs), Flink would refuse to fall back to Kryo.
 */
class TypeSerializationTest {

    private static SerializerConfigImpl noKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    @ParameterizedTest
    @ValueSource(
            classes = {
                UdpDatagram.class,
                TelemetryRecord.class,
                SeriesKey.class,
                DeadLetter.class,
                WindowAggregate.class
            })
    void pojoTypesNeedNoKryo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(info.createSerializer(noKryo())).isNotNull();
    }

    @Test
    void accumulatorHasItsOwnSerializer() {
        assertThat(TypeInformation.of(MetricAccumulator.class).createSerializer(noKryo()))
                .isSameAs(MetricAccumulatorSerializer.INSTANCE);
    }

    @Test
    void recordsRoundTripThroughTheirSerializer() throws Exception {
        TelemetryRecord record =
                new TelemetryRecord(
                        "m ü", "s", "{\"a\":\"b\"}", MetricFunction.P99, -1.5, 123, 456);
        TypeSerializer<TelemetryRecord> serializer =
                TypeInformation.of(TelemetryRecord.class).createSerializer(noKryo());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);

        assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(record);
    }
}
