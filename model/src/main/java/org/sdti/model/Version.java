package org.sdti.model;

/** The sdti version, written into the metadata of files sdti produces. */
public final class Version {
    public static final String SDTI = "0.1.0";

    private Version() {}
}
