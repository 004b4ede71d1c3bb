package org.sdti.dataprep.world;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The caption words of a label enum, for messages and lists. */
final class Words {
    private Words() {
    }

    static String of(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(", "));
    }
}
