package dev.rlaif.common.kafka;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Writes one transaction marker to one partition, as a transaction coordinator does (Kafka's {@code WriteTxnMarkers}
 * request, sent to the partition's leader). The Admin API can only abort ({@code abortTransaction}); a commit its
 * coordinator decided but never marked on a partition needs the commit marker, which only this request writes. It
 * is a broker-to-broker request: it needs the {@code ClusterAction} permission, which the brokers this project
 * starts (no authorizer) grant.
 */
public final class TxnMarkerWriter {

    private TxnMarkerWriter() {
    }

    /**
     * @param epoch              the producer epoch the coordinator ends the transaction with
     * @param coordinatorEpoch   the coordinator epoch the partition last saw for the producer
     * @param transactionVersion the transactions version the producer used (2: the epoch was bumped to end it)
     * @throws IOException when the leader cannot be reached or refuses the marker
     */
    public static void write(Node leader, TopicPartition partition, long producerId, short epoch, int coordinatorEpoch,
                      short transactionVersion, boolean commit, Duration timeout) throws IOException {
        WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId).setProducerEpoch(epoch).setCoordinatorEpoch(coordinatorEpoch)
                .setTransactionResult(commit).setTransactionVersion((byte) transactionVersion)
                .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(partition.topic())
                        .setPartitionIndexes(List.of(partition.partition()))));
        short version = ApiKeys.WRITE_TXN_MARKERS.latestVersion();
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(new WriteTxnMarkersRequestData()
                .setMarkers(List.of(marker))).build(version);
        RequestHeader header = new RequestHeader(ApiKeys.WRITE_TXN_MARKERS, version, "rlaif-hanging-transactions", 1);
        ByteBuffer payload = request.serializeWithHeader(header);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(leader.host(), leader.port()), millis);
            socket.setSoTimeout(millis);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            WriteTxnMarkersResponse response = (WriteTxnMarkersResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
            Errors error = response.errorsByProducerId().getOrDefault(producerId, Map.of()).getOrDefault(partition, Errors.UNKNOWN_SERVER_ERROR);
            if (error != Errors.NONE) {
                throw new IOException((commit ? "commit" : "abort") + " marker for producer " + producerId + " on " + partition
                        + " refused: " + error);
            }
        }
    }
}
