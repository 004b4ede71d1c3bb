package org.sdti.dataprep;

/** A user template file that cannot be used; the message names the file and, where it applies, the line. */
public final class TemplateFileException extends IllegalArgumentException {
    public TemplateFileException(String message) {
        super(message);
    }
}
