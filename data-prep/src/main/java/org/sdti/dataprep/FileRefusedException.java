package org.sdti.dataprep;

import java.io.IOException;

/**
 * A file data-prep will not read: not a regular file (a pipe, device or socket) or larger than a cap. Input the
 * user can fix, unlike the I/O failures its parent type also covers.
 */
public final class FileRefusedException extends IOException {
    public FileRefusedException(String message) {
        super(message);
    }
}
