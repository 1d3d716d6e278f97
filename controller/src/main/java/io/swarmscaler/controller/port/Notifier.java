package io.swarmscaler.controller.port;

import io.swarmscaler.model.Notification;

/** Tells the operator. Must not block or fail scaling: a notifier that is down drops and logs. */
public interface Notifier {
    void send(Notification notification);
}
