package io.swarmscaler.controller.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds every wait for a Docker reply, the headers and each read of the body, to {@code limit}. docker-java's
 * Unix socket is a {@code SocketChannel} whose stream ignores read timeouts, so a stopped dockerd (SIGSTOP, a
 * frozen machine) held a call for as long as it slept; seen on the lab, where a pass waited over 4 minutes. Past
 * the limit the waiting thread is interrupted, which closes the channel and ends the call with
 * {@link SocketTimeoutException}.
 */
final class SilenceLimit implements DockerHttpClient {
    private static final ScheduledThreadPoolExecutor ALARMS = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "docker-silence-limit");
        t.setDaemon(true);
        return t;
    });

    static {
        ALARMS.setRemoveOnCancelPolicy(true);
    }

    private final DockerHttpClient calls;
    private final Duration limit;

    SilenceLimit(DockerHttpClient calls, Duration limit) {
        this.calls = calls;
        this.limit = limit;
    }

    @FunctionalInterface
    private interface Wait<T> {
        T get() throws IOException;
    }

    @Override
    public Response execute(Request request) {
        Response response;
        try {
            response = within(() -> calls.execute(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Response() {
            @Override
            public int getStatusCode() {
                return response.getStatusCode();
            }

            @Override
            public Map<String, List<String>> getHeaders() {
                return response.getHeaders();
            }

            @Override
            public InputStream getBody() {
                return new FilterInputStream(response.getBody()) {
                    @Override
                    public int read() throws IOException {
                        return within(super::read);
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        return within(() -> super.read(b, off, len));
                    }
                };
            }

            @Override
            public void close() {
                response.close();
            }
        };
    }

    /** Runs {@code wait}, interrupting it once it has waited {@code limit}. */
    private <T> T within(Wait<T> wait) throws IOException {
        Thread caller = Thread.currentThread();
        Alarm alarm = new Alarm(caller);
        ScheduledFuture<?> scheduled = ALARMS.schedule(alarm::ring, limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return wait.get();
        } catch (IOException | RuntimeException e) {
            if (alarm.rang()) {
                // Without the cause: what the interrupt left (ClosedByInterrupt, Cancellation) would be named instead.
                // Callers name Docker and its address.
                throw new SocketTimeoutException("no answer within %dms".formatted(limit.toMillis()));
            }
            throw e;
        } finally {
            scheduled.cancel(false);
            if (alarm.disarm()) {
                Thread.interrupted(); // ours, not someone else's: the call has ended
            }
        }
    }

    /** Interrupts its thread once, unless disarmed first. */
    private static final class Alarm {
        private final Thread thread;
        private boolean armed = true;
        private boolean rang;

        Alarm(Thread thread) {
            this.thread = thread;
        }

        synchronized void ring() {
            if (armed) {
                rang = true;
                thread.interrupt();
            }
        }

        synchronized boolean rang() {
            return rang;
        }

        /** @return whether it rang */
        synchronized boolean disarm() {
            armed = false;
            return rang;
        }
    }

    @Override
    public void close() throws IOException {
        calls.close();
    }
}
