package io.swarmscaler.controller.notify;

import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.model.Notification;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Logger;

/**
 * Sends notifications from a bounded queue on its own thread, so that a slow or dead receiver never blocks or
 * fails scaling: when the queue is full the notification is dropped and the drop logged.
 */
final class AsyncNotifier implements Notifier, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AsyncNotifier.class.getName());
    private static final int CAPACITY = 200;

    /** Delivers one notification; throws to report a failure, which is logged. */
    @FunctionalInterface
    interface Sender {
        void deliver(Notification notification) throws Exception;
    }

    private final String name;
    private final Sender sender;
    private final BlockingQueue<Notification> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;

    AsyncNotifier(String name, Sender sender) {
        this.name = name;
        this.sender = sender;
        this.thread = new Thread(this::run, "notify-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void send(Notification notification) {
        if (!queue.offer(notification)) {
            LOG.warning("%s is not keeping up (%d notifications queued); dropped: %s".formatted(name, CAPACITY,
                    notification.summary()));
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            Notification next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                sender.deliver(next);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warning("%s did not take a notification (%s); dropped: %s".formatted(name, e.getMessage(),
                        next.summary()));
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
