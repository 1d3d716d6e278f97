package io.swarmscaler.controller.docker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * One String per distinct text of a reply that repeats it thousands of times (service and node ids, task states,
 * the scheduler's reasons), looked up by the parser's characters: a repeat costs no new String, so 100,000 tasks
 * make almost no garbage beyond their own ids. An open-addressing table: a hash map would need a key object per
 * lookup.
 */
final class RepeatedTexts {
    private String[] table = new String[1 << 10];
    /** 32 less the table's bits: a slot is the top bits of the hash times the golden ratio (Fibonacci hashing). */
    private int shift = 32 - 10;
    private int size;

    /** The string value the parser stands on, or {@code absent} for a null (or any value that is not a string). */
    String of(JsonParser p, String absent) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return p.getValueAsString(absent);
        }
        return of(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    String of(char[] chars, int offset, int length) {
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + chars[i]; // String's own hash: a growing table rehashes with hashCode()
        }
        int mask = table.length - 1;
        for (int slot = slot(hash); ; slot = (slot + 1) & mask) {
            String known = table[slot];
            if (known == null) {
                return add(slot, new String(chars, offset, length));
            }
            if (known.length() == length && sameChars(known, chars, offset)) {
                return known;
            }
        }
    }

    private static boolean sameChars(String known, char[] chars, int offset) {
        for (int i = 0; i < known.length(); i++) {
            if (known.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private String add(int slot, String text) {
        table[slot] = text;
        if (++size * 2 > table.length) { // at most half full: probes stay short
            String[] old = table;
            table = new String[old.length * 2];
            shift--;
            int mask = table.length - 1;
            for (String known : old) {
                if (known != null) {
                    int at = slot(known.hashCode());
                    while (table[at] != null) {
                        at = (at + 1) & mask;
                    }
                    table[at] = known;
                }
            }
        }
        return text;
    }

    /** Ids that differ in their last characters only (hashes that differ by little) land far apart. */
    private int slot(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
