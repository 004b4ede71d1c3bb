package org.sdti.dataprep;

import java.util.List;

/**
 * What one concept folder gave: the examples (in file-name order, each original followed by its flip) and every
 * file that gave none, with the reason.
 */
public record PreparationResult(String concept, String location, List<PreparedImage> examples,
                                List<Rejection> rejected) {
    public PreparationResult {
        examples = List.copyOf(examples);
        rejected = List.copyOf(rejected);
    }

    /** How many source pictures were accepted (examples count flips separately). */
    public long acceptedImages() {
        return examples.stream().map(PreparedImage::sha256).distinct().count();
    }
}
