package org.sdti.model.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tokens added after the vocabulary (textual-inversion placeholders), each with its own id. Like transformers, they
 * are found verbatim (case-sensitive) in the raw prompt before any cleaning, leftmost first and longest at a
 * position. Like diffusers' {@code maybe_convert_prompt}, a token {@code t} stands for its whole multi-vector group
 * {@code t, t_1, t_2, ...}. Immutable.
 */
final class AddedTokens {
    static final AddedTokens NONE = new AddedTokens(Collections.emptyMap());

    /** name → id, in id order. */
    private final Map<String, Integer> ids;
    private final List<String> longestFirst;

    private AddedTokens(Map<String, Integer> ids) {
        this.ids = ids;
        List<String> names = new ArrayList<>(ids.keySet());
        names.sort(Comparator.comparingInt(String::length).reversed());
        this.longestFirst = names;
    }

    AddedTokens with(String name, int id) {
        return with(List.of(name), id);
    }

    /** These names with ids {@code firstId, firstId + 1, ...}: one copy and one sort for the whole group. */
    AddedTokens with(List<String> names, int firstId) {
        Map<String, Integer> copy = new LinkedHashMap<>(ids);
        for (int i = 0; i < names.size(); i++) {
            copy.put(names.get(i), firstId + i);
        }
        return new AddedTokens(Collections.unmodifiableMap(copy));
    }

    boolean contains(String name) {
        return ids.containsKey(name);
    }

    /** The id of a name, or -1. */
    int id(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    int size() {
        return ids.size();
    }

    Map<String, Integer> asMap() {
        return ids;
    }

    /** The ids a matched name stands for: its own, then those of name_1, name_2, ... while they exist. */
    int[] expand(String name) {
        List<Integer> group = new ArrayList<>();
        group.add(ids.get(name));
        for (int i = 1; ids.containsKey(name + "_" + i); i++) {
            group.add(ids.get(name + "_" + i));
        }
        return group.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Walks the text: plain stretches go to {@code onText}, added-token occurrences to {@code onToken}. */
    void split(String text, Consumer<String> onText, Consumer<String> onToken) {
        int chunkStart = 0;
        int i = 0;
        while (i < text.length() && !ids.isEmpty()) {
            String match = longestAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > chunkStart) {
                onText.accept(text.substring(chunkStart, i));
            }
            onToken.accept(match);
            i += match.length();
            chunkStart = i;
        }
        if (chunkStart < text.length()) {
            onText.accept(text.substring(chunkStart));
        }
    }

    private String longestAt(String text, int at) {
        for (String name : longestFirst) {
            if (text.startsWith(name, at)) {
                return name;
            }
        }
        return null;
    }
}
