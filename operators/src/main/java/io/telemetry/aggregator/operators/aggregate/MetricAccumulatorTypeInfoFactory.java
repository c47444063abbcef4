package io.telemetry.aggregator.operators.aggregate;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Gives {@link MetricAccumulator} its own serializer wherever Flink meets the type. */
public final class MetricAccumulatorTypeInfoFactory extends TypeInfoFactory<MetricAccumulator> {

    @Override
    public TypeInformation<MetricAccumulator> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new MetricAccumulatorTypeInfo();
    }

    /** Type information of {@link MetricAccumulator}. */
    public static final class MetricAccumulatorTypeInfo extends TypeInformation<MetricAccumulator> {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<MetricAccumulator> getTypeClass() {
            return MetricAccumulator.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<MetricAccumulator> createSerializer(SerializerConfig config) {
            return MetricAccumulatorSerializer.INSTANCE;
        }

        @Override
        public String toString() {
            return "MetricAccumulator";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof MetricAccumulatorTypeInfo;
        }

        @Override
        public int hashCode() {
            return MetricAccumulatorTypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof MetricAccumulatorTypeInfo;
        }
    }
}
