package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.model.Notification;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every notification sent, in order. */
public final class RecordingNotifier implements Notifier {
    private final List<Notification> sent = new CopyOnWriteArrayList<>();

    @Override
    public void send(Notification notification) {
        sent.add(notification);
    }

    public List<Notification> sent() {
        return List.copyOf(sent);
    }

    public void clear() {
        sent.clear();
    }
}
