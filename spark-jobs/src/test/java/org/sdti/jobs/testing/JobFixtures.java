package org.sdti.jobs.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.sdti.jobs.cli.Main;

/** Small concept images, job files and CLI runs for the job tests. */
public final class JobFixtures {
    private JobFixtures() {}

    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A picture with a seeded pattern, encoded as "png" or "jpeg". */
    public static byte[] image(int width, int height, long seed, String format) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int base = r.nextInt(0x1000000);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = (base + x * 0x0a0305 + y * 0x030a05 + r.nextInt(16)) & 0xffffff;
                img.setRGB(x, y, v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    /**
     * Two concepts under {@code dir}: {@code cat} (a PNG, a JPEG and a 4x4 PNG that is too small) and
     * {@code broken} (one file that is not an image).
     */
    public static void twoConcepts(Path dir) throws IOException {
        Path cat = Files.createDirectories(dir.resolve("cat"));
        Files.write(cat.resolve("a.png"), image(20, 16, 1, "png"));
        Files.write(cat.resolve("b.jpg"), image(16, 24, 2, "jpeg"));
        Files.write(cat.resolve("tiny.png"), image(4, 4, 3, "png"));
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("photo.png"), "this is not an image");
    }

    /** A job file for {@link #twoConcepts} with the tiny model. */
    public static Path jobFile(Path dir, String model, String images, String output, String extra)
            throws IOException {
        String job = "sdti {\n"
                + "  model = \"" + model + "\"\n"
                + "  output = \"" + output + "\"\n"
                + "  concepts = [\n"
                + "    { token = \"<cat-toy>\", init = \"toy\", images = \"" + images + "/cat\", vectors = 2 }\n"
                + "    { token = \"<broken>\", init = \"thing\", images = \"" + images + "/broken\" }\n"
                + "  ]\n"
                + extra
                + "}\n";
        Path f = dir.resolve("job.conf");
        Files.writeString(f, job);
        return f;
    }

    /**
     * {@link #twoConcepts} in {@code tmp/images} and their {@link #jobFile} with the tiny fixture model, writing to
     * {@code tmp/out}.
     */
    public static Path twoConceptJob(Path tmp, String extra) throws IOException {
        twoConcepts(tmp.resolve("images"));
        return jobFile(tmp, org.sdti.model.testing.TestData.tinyModel().toString(), tmp.resolve("images").toString(),
                tmp.resolve("out").toString(), extra);
    }

    /** Every file under {@code root} (relative path → size and modification time), to prove a rerun wrote nothing. */
    public static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(root.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p));
                }
            }
        }
        return out;
    }

    /**
     * Every file under {@code root} outside the {@code skip} folders (relative path → size, modification time and
     * SHA-256): equal snapshots before and after a run mean it wrote, rewrote or deleted nothing there.
     */
    public static Map<String, String> snapshot(Path root, String... skip) throws IOException {
        Map<String, String> out = new TreeMap<>();
        java.util.List<Path> skipped = java.util.Arrays.stream(skip).map(root::resolve).toList();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && skipped.stream().noneMatch(p::startsWith)) {
                    out.put(root.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p)
                            + "#" + org.sdti.jobs.generate.FileHashes.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    /**
     * Job-file lines for a small pipeline over {@link #twoConcepts}: train 4 steps in rounds of 2 with one
     * validation image, then generate with 2 sampler steps a prompt of each concept and one with no concept token,
     * at 2 seeds each.
     */
    public static final String SMALL_PIPELINE = """
              train { steps = 4, average-every = 2, validation { images = 1, steps = 2 } }
              generate {
                prompts = ["a photo of a <cat-toy>", "a <broken> on a table", "a plain red square"]
                seeds = [1, 2]
                steps = 2
              }
            """;
}
