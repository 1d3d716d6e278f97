package io.swarmscaler.controller.notify;

import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.model.Notification;
import java.util.logging.Logger;

/** The notifier when no Alertmanager or Slack is configured: one log line per notification. */
public final class LoggingNotifier implements Notifier {
    private static final Logger LOG = Logger.getLogger("io.swarmscaler.notifications");

    @Override
    public void send(Notification n) {
        LOG.info("[%s %s] %s: %s".formatted(n.alertName(), n.status().name().toLowerCase(java.util.Locale.ROOT),
                n.service(), n.summary()));
    }
}
