package org.sdti.dataprep;

/** The reference's {@code --learnable_property}: which template list a concept trains with. */
public enum LearnableProperty {
    /** A thing: "a photo of a {}" and 26 more. The reference's default. */
    OBJECT,
    /** A look: "a painting in the style of {}" and 18 more. */
    STYLE
}
