package io.swarmscaler.controller.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tiny image built from the host's static busybox (Debian's busybox-static), for nodes that cannot pull. */
final class BusyboxImage {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "sleep", "httpd", "cat", "echo", "ls", "wget", "dd");

    private BusyboxImage() {}

    /** The image as a tar of its root file system, built once under {@code stateDir}. */
    static synchronized Path tarball(Path stateDir) {
        Path tar = stateDir.resolve("busybox-rootfs.tar");
        if (Files.exists(tar)) {
            return tar;
        }
        if (!Files.isExecutable(BUSYBOX)) {
            throw new LocalClusterException(BUSYBOX + " is missing: install Debian's busybox-static", null);
        }
        Path rootfs = stateDir.resolve("busybox-rootfs");
        try {
            LocalCluster.deleteTree(rootfs);
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(BUSYBOX, bin.resolve("busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Files.createDirectories(rootfs.resolve("tmp"));
            Path partial = stateDir.resolve("busybox-rootfs.tar.partial");
            Shell.run("tar", "-C", rootfs.toString(), "-cf", partial.toString(), ".");
            Files.move(partial, tar);
            LocalCluster.deleteTree(rootfs);
            return tar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
