package org.sdti.dataprep;

import java.util.List;
import java.util.stream.Collectors;

/** A concept whose folder gave no training example: names the concept, the folder and why each file failed. */
public final class NoUsableImageException extends RuntimeException {
    private final String concept;
    private final String location;
    private final List<Rejection> rejected;

    public NoUsableImageException(String concept, String location, List<Rejection> rejected) {
        super(message(concept, location, rejected));
        this.concept = concept;
        this.location = location;
        this.rejected = List.copyOf(rejected);
    }

    private static String message(String concept, String location, List<Rejection> rejected) {
        String head = "concept \"" + concept + "\" has no usable image in " + location;
        if (rejected.isEmpty()) {
            return head + ": the folder is empty";
        }
        return head + " (" + rejected.size() + " file" + (rejected.size() == 1 ? "" : "s") + " rejected: "
                + rejected.stream().map(Rejection::message).collect(Collectors.joining("; ")) + ")";
    }

    public String concept() {
        return concept;
    }

    public String location() {
        return location;
    }

    public List<Rejection> rejected() {
        return rejected;
    }
}
