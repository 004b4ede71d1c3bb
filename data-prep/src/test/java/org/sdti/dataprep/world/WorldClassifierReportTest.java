package org.sdti.dataprep.world;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The classifier's figures for docs/world.md: thousands of fresh images, clean at both sides and under each
 * degradation, including harsher ones than the default suite's. Writes {@code target/world-classifier-report.txt}.
 * Run with {@code mvn -Pslow -pl data-prep -am test -Dtest=WorldClassifierReportTest}.
 */
@Tag("slow")
class WorldClassifierReportTest {
    private static final long FRESH = 31_415_926L;

    @Test
    void report() throws Exception {
        StringBuilder out = new StringBuilder();
        ClassifierMeasurement clean = ClassifierMeasurement.run(World.standard(), FRESH, 3000,
                ClassifierMeasurement.clean());
        out.append(clean.report("clean 32 px, 3000 images"));
        ClassifierMeasurement clean64 = ClassifierMeasurement.run(World.of(64), FRESH, 500,
                ClassifierMeasurement.clean());
        out.append(clean64.report("clean 64 px, 500 images"));
        record Case(String name, ClassifierMeasurement.Distortion distortion) {
        }
        StringBuilder summary = new StringBuilder(String.format("%-26s %8s %8s %8s%n", "32 px, 1000 images each",
                "colour", "shape", "ground"));
        summary.append(line("clean (first 3000)", clean));
        for (Case c : new Case[] {
                new Case("blur sigma 0.7 px", ClassifierMeasurement.blur(0.7)),
                new Case("blur sigma 1.0 px", ClassifierMeasurement.blur(1.0)),
                new Case("noise sigma 12", ClassifierMeasurement.noise(12)),
                new Case("noise sigma 25", ClassifierMeasurement.noise(25)),
                new Case("colour jitter 20, 10 %", ClassifierMeasurement.colourJitter(20, 0.1)),
                new Case("size off 15 %", ClassifierMeasurement.offSize()),
                new Case("combined", ClassifierMeasurement.combined())}) {
            ClassifierMeasurement m = ClassifierMeasurement.run(World.standard(), FRESH + 1, 1000, c.distortion());
            out.append(m.report(c.name() + ", 1000 images"));
            summary.append(line(c.name(), m));
        }
        summary.append(line("clean 64 px (500)", clean64));
        String text = summary + "\n" + out;
        System.out.print(text);
        Files.writeString(Path.of("target/world-classifier-report.txt"), text);
        assertTrue(clean.colour.accuracy() >= 0.98 && clean.shape.accuracy() >= 0.95, summary::toString);
        assertTrue(clean64.colour.accuracy() >= 0.98 && clean64.shape.accuracy() >= 0.95, summary::toString);
    }

    private static String line(String name, ClassifierMeasurement m) {
        return String.format("%-26s %7.2f%% %7.2f%% %7.2f%%%n", name, 100 * m.colour.accuracy(),
                100 * m.shape.accuracy(), 100 * m.background.accuracy());
    }
}
