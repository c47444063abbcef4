package io.telemetry.aggregator.sinks.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

/** The points a writer holds at a checkpoint come back from its state as they were. */
class PointStateSerializerTest {

    @Test
    void bufferedPointsRoundTrip() throws Exception {
        List<String> points =
                List.of(
                        "temperature,function=avg,source=gpu-001 value=71.5,count=3i 1795430400000",
                        "température,function=max,source=d\\ 1 value=1.0,count=1i 1795430460000",
                        "");
        List<RequestEntryWrapper<String>> entries =
                points.stream().map(p -> new RequestEntryWrapper<>(p, p.length())).toList();
        PointStateSerializer serializer = new PointStateSerializer();

        BufferedRequestState<String> back =
                serializer.deserialize(
                        serializer.getVersion(),
                        serializer.serialize(new BufferedRequestState<>(entries)));

        assertThat(back.getBufferedRequestEntries())
                .extracting(RequestEntryWrapper::getRequestEntry)
                .containsExactlyElementsOf(points);
        assertThat(back.getBufferedRequestEntries())
                .extracting(RequestEntryWrapper::getSize)
                .containsExactlyElementsOf(points.stream().map(p -> (long) p.length()).toList());
        assertThat(serializer.getVersion()).isEqualTo(1);
    }
}
