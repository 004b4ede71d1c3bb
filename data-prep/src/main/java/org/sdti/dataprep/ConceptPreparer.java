package org.sdti.dataprep;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A concept's files to training examples. Every file ends up either in an example or in a {@link Rejection}
 * with its reason; nothing is passed over silently. Files are handled in name order, so results do not depend on
 * the order a file system lists them in. Thread-safe; one instance serves any number of concepts.
 */
public final class ConceptPreparer {
    private final PrepareOptions options;
    private final ImageDecoder decoder;

    public ConceptPreparer(PrepareOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.decoder = new ImageDecoder(options.maxPixels());
    }

    public PrepareOptions options() {
        return options;
    }

    /** A local folder's files (sub-folders are reported, not entered). */
    public PreparationResult prepareFolder(String concept, Path folder) throws IOException {
        return prepare(concept, folder.toString(), LocalFolder.list(folder));
    }

    /**
     * @param concept  the concept's name, for the examples and messages
     * @param location where the files came from, for messages only
     * @param files    the folder's files, captions ({@code .txt}) included
     * @throws NoUsableImageException when no file gives an example
     */
    public PreparationResult prepare(String concept, String location, List<ImageInput> files) {
        List<Rejection> rejected = new ArrayList<>();
        Map<String, ImageInput> captions = new HashMap<>();
        List<ImageInput> pictures = new ArrayList<>();
        for (ImageInput f : files) {
            if (f.isHidden()) {
                rejected.add(new Rejection(f.name(), Rejection.Reason.HIDDEN, "hidden file, not read"));
            } else if (f.isCaption()) {
                ImageInput other = captions.putIfAbsent(f.stem(), f);
                if (other != null) {
                    rejected.add(new Rejection(f.name(), Rejection.Reason.DUPLICATE,
                            "a second caption for \"" + f.stem() + "\" (" + other.name() + " is used)"));
                }
            } else {
                pictures.add(f);
            }
        }
        pictures.sort(Comparator.comparing(ImageInput::name));

        List<PreparedImage> examples = new ArrayList<>();
        Map<String, String> firstWithHash = new HashMap<>();
        Set<String> stems = new HashSet<>();
        for (ImageInput f : pictures) {
            stems.add(f.stem());
            try {
                examples.addAll(prepareOne(concept, f, firstWithHash, captions, rejected));
            } catch (UnusableImageException e) {
                rejected.add(new Rejection(f.name(), e.reason(), e.getMessage()));
            }
        }
        captions.values().stream()
                .filter(c -> !stems.contains(c.stem()))
                .sorted(Comparator.comparing(ImageInput::name))
                .forEach(c -> rejected.add(new Rejection(c.name(), Rejection.Reason.ORPHAN_CAPTION,
                        "caption without an image named \"" + c.stem() + ".*\"")));
        if (examples.isEmpty()) {
            throw new NoUsableImageException(concept, location, rejected);
        }
        return new PreparationResult(concept, location, examples, rejected);
    }

    private List<PreparedImage> prepareOne(String concept, ImageInput f, Map<String, String> firstWithHash,
                                           Map<String, ImageInput> captions, List<Rejection> rejected)
            throws UnusableImageException {
        byte[] data;
        try {
            data = f.bytes().read();
        } catch (IOException | RuntimeException e) {
            throw new UnusableImageException(Rejection.Reason.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        String hash = sha256(data);
        String first = firstWithHash.get(hash);
        if (first != null) {
            throw new UnusableImageException(Rejection.Reason.DUPLICATE, "the same bytes as " + first);
        }
        ImageDecoder.Decoded decoded = decoder.decode(data);
        RgbImage upright = decoded.image();
        int shortSide = Math.min(upright.width(), upright.height());
        if (shortSide < options.minShortSide()) {
            throw new UnusableImageException(Rejection.Reason.TOO_SMALL, upright.width() + "x" + upright.height()
                    + ": shorter side " + shortSide + " < minimum " + options.minShortSide());
        }
        firstWithHash.put(hash, f.name());
        RgbImage square = Framing.frame(upright, options.resolution(), options.cropMode(), options.filter(),
                cropRandom(hash));
        Optional<String> caption = caption(captions.get(f.stem()), rejected);
        List<PreparedImage> out = new ArrayList<>(2);
        out.add(new PreparedImage(concept, f.name(), hash, PreparedImage.Variant.ORIGINAL, square, caption,
                upright.width(), upright.height()));
        if (options.flips()) {
            out.add(new PreparedImage(concept, f.name(), hash, PreparedImage.Variant.FLIPPED,
                    square.flipHorizontal(), caption, upright.width(), upright.height()));
        }
        return out;
    }

    /** A caption that cannot be read is reported; its image stays, uncaptioned. */
    private static Optional<String> caption(ImageInput sidecar, List<Rejection> rejected) {
        if (sidecar == null) {
            return Optional.empty();
        }
        try {
            return Captions.parse(sidecar.bytes().read());
        } catch (IOException | RuntimeException e) {
            String why = e instanceof CharacterCodingException ? "not UTF-8 text" : e.getMessage();
            rejected.add(new Rejection(sidecar.name(), Rejection.Reason.UNREADABLE,
                    "caption not read (" + why + "); its image is used without a caption"));
            return Optional.empty();
        }
    }

    /** Seeded by the options' seed and the file's content: the same crop on every run, rename or executor. */
    private SplittableRandom cropRandom(String sha256) {
        long h = Long.parseUnsignedLong(sha256.substring(0, 16), 16);
        return new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L ^ h);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
