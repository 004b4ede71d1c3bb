package org.sdti.dataprep.world;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Label enums by caption word: every label's word is its constant's name in lower case. */
final class Words {
    private Words() {
    }

    static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} whose word is {@code word}; else an error naming the label and the choices. */
    static <E extends Enum<E>> E parse(Class<E> type, String label, String word) {
        for (E e : type.getEnumConstants()) {
            if (word(e).equals(word)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + label + " \"" + word + "\"; expected one of "
                + Arrays.stream(type.getEnumConstants()).map(Words::word).collect(Collectors.joining(", ")));
    }
}
