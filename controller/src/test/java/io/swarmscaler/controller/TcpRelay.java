package io.swarmscaler.controller;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards TCP connections from one address to another, for tests: services that listen on 127.0.0.1 only (the
 * lab's Prometheus, the local Auto Scaling endpoint) become reachable from a node's network namespace through the
 * host's address on the lab's bridge, and from nowhere else.
 */
final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private TcpRelay(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Listens on {@code listenAddress} (any free port) and forwards every connection to {@code target}. */
    static TcpRelay start(String listenAddress, InetSocketAddress target) {
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.getByName(listenAddress));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listenAddress, e);
        }
        TcpRelay relay = new TcpRelay(server, target);
        Thread acceptor = new Thread(relay::acceptLoop, "relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return relay;
    }

    /** The address clients connect to, e.g. {@code 10.213.47.1:41234}. */
    String hostAndPort() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            AtomicInteger running = new AtomicInteger(2);
            Runnable oneDone = () -> {
                if (running.decrementAndGet() == 0) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    open.remove(client);
                    open.remove(upstream);
                }
            };
            pump(client, upstream, oneDone);
            pump(upstream, client, oneDone);
        }
    }

    /** Copies one direction until end of stream, then half-closes the other side (as TCP would). */
    private static void pump(Socket from, Socket to, Runnable done) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // a reset or close() ends this connection only
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                done.run();
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
