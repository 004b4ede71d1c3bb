package org.sdti.dataprep;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A local folder that appears whole or not at all: it is filled under a hidden temporary name in the same parent,
 * then renamed into place, so a crash or a failure leaves no half-written folder under the target's name.
 */
public final class WholeFolder {
    /** Writes the folder's content into {@code folder} (which exists and is empty). */
    public interface Filler {
        void fill(Path folder) throws IOException;
    }

    private WholeFolder() {
    }

    /** @throws FileAlreadyExistsException when {@code target} exists (nothing is written) */
    public static void create(Path target, Filler filler) throws IOException {
        Path to = target.toAbsolutePath().normalize();
        if (Files.exists(to)) {
            throw new FileAlreadyExistsException(to.toString(), null, "the output folder exists");
        }
        write(to, filler, false);
    }

    /**
     * Like {@link #create}, but a folder already at {@code target} is replaced once the new one is whole: it is
     * renamed aside, the new one renamed in, then the old one deleted. The caller decides beforehand whether the
     * old folder may go.
     */
    public static void replace(Path target, Filler filler) throws IOException {
        write(target.toAbsolutePath().normalize(), filler, true);
    }

    private static void write(Path target, Filler filler, boolean replace) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String hidden = "." + target.getFileName();
        Path temp = Files.createTempDirectory(parent, hidden + ".tmp-");
        try {
            filler.fill(temp);
            if (replace && Files.exists(target)) {
                Path old = Files.createTempDirectory(parent, hidden + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    throw e;
                }
                deleteTree(old);
            } else {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (Throwable t) {
            try {
                deleteTree(temp);
            } catch (IOException d) {
                t.addSuppressed(d);
            }
            throw t;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
