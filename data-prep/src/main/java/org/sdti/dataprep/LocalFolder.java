package org.sdti.dataprep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The entries of a local folder as {@link ImageInput}s, read lazily, sorted by name; sub-folders are not entered. */
public final class LocalFolder {
    private LocalFolder() {
    }

    public static List<ImageInput> list(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("concept folder " + folder + " does not exist or is not a folder");
        }
        List<ImageInput> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            entries.sorted(Comparator.comparing(p -> p.getFileName().toString())).forEach(p -> {
                String name = p.getFileName().toString();
                // a sub-folder is listed, so that it is reported rather than silently passed over
                out.add(new ImageInput(name, Files.isDirectory(p)
                        ? () -> { throw new IOException("a folder, not a file (sub-folders are not read)"); }
                        : () -> read(p)));
            });
        }
        return out;
    }

    private static byte[] read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new FileRefusedException("not a regular file (pipes, devices and sockets are not read)");
        }
        if (Files.size(p) > HadoopFolder.MAX_FILE_BYTES) {
            throw new FileRefusedException("file of " + Files.size(p) + " bytes is larger than " + HadoopFolder.MAX_FILE_BYTES
                    + " (the cap on image file size)");
        }
        return Files.readAllBytes(p);
    }
}
