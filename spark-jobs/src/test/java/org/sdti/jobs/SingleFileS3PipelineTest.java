package org.sdti.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.S3TestServer;
import org.sdti.model.testing.TestData;

/**
 * The pipeline with {@code sdti.model} a single-file checkpoint on S3 (architecture: the {@code tiny} preset) learns
 * the same embedding and renders the same images as with the local diffusers folder. Two pipelines, about 80 s:
 * slow.
 */
@Tag("slow")
class SingleFileS3PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pipelineFromASingleFileOnS3EqualsTheFolder(@TempDir Path tmp) throws Exception {
        TestSpark.session();
        Path local = Files.createDirectories(tmp.resolve("local"));
        JobFixtures.Result folder = JobFixtures.run("pipeline", "--config",
                JobFixtures.twoConceptJob(local, JobFixtures.SMALL_PIPELINE).toString());
        assertEquals(3, folder.code(), folder.out() + folder.err());

        try (S3TestServer s3 = new S3TestServer("sdti-single-file")) {
            Path remote = Files.createDirectories(tmp.resolve("remote"));
            S3RoundTripTest.Bucket b = S3RoundTripTest.upload(s3, remote, List.of(), JobFixtures.SMALL_PIPELINE
                    + "  model-config = tiny\n");
            String file = s3.uri("models/model.safetensors");
            b.fs().copyFromLocalFile(new org.apache.hadoop.fs.Path(
                    TestData.path("fixtures/tiny-sd2/single-file/model.safetensors").toUri()),
                    new org.apache.hadoop.fs.Path(file));
            Files.writeString(b.job(), Files.readString(b.job()).replace(s3.uri("models/tiny"), file));

            JobFixtures.Result single = JobFixtures.run("pipeline", "--config", b.job().toString());
            assertEquals(3, single.code(), single.out() + single.err());
            JsonNode report = read(b.fs(), s3.uri("out/_reports/pipeline.json"));
            assertEquals("done", report.path("concepts").get(0).path("status").asText(), report.toString());

            try (SafeTensorsFile a = SafeTensorsFile.open(local.resolve("out/cat-toy/learned_embeds.safetensors"))) {
                Path copy = tmp.resolve("remote-embeds.safetensors");
                b.fs().copyToLocalFile(new org.apache.hadoop.fs.Path(s3.uri("out/cat-toy/learned_embeds.safetensors")),
                        new org.apache.hadoop.fs.Path(copy.toUri()));
                try (SafeTensorsFile c = SafeTensorsFile.open(copy)) {
                    assertArrayEquals(a.floats("<cat-toy>"), c.floats("<cat-toy>"), 0f);
                }
            }
            assertEquals(images(FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                            local.resolve("out/cat-toy/images").toUri().toString()),
                    images(b.fs(), s3.uri("out/cat-toy/images")));
        }
    }

    /** Each PNG's pixels, as a sorted list (names differ: they hash the model's identity). */
    private static List<String> images(FileSystem fs, String dir) throws Exception {
        List<String> out = new ArrayList<>();
        for (var s : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
            if (!s.getPath().getName().endsWith(".png")) continue;
            try (InputStream in = fs.open(s.getPath())) {
                BufferedImage img = ImageIO.read(in);
                out.add(Arrays.toString(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth())));
            }
        }
        out.sort(null);
        assertEquals(2, out.size(), dir);
        return out;
    }

    private static JsonNode read(FileSystem fs, String uri) throws Exception {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
            return JSON.readTree(in);
        }
    }
}
