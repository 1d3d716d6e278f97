package io.swarmscaler.model;

/**
 * A message for the operator, shaped like the alerts the seed's Alertmanager configuration routes.
 *
 * @param alertName {@code scale_nodes}, {@code reschedule_service} or the policy's alert name
 * @param service the service concerned (the policy's exporter service, or the scaler itself)
 * @param summary the text a person reads, e.g. "Changing the number of worker nodes on aws from 1 to 2"
 * @param request what caused it, e.g. "policy exporter_node-exporter-worker#1"
 */
public record Notification(String alertName, String service, Status status, String summary, String request) {

    public enum Status {
        SUCCESS,
        PENDING,
        ERROR
    }
}
