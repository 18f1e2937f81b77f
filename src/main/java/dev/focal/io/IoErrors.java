package dev.focal.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns Java's I/O exceptions into the short phrases our one-line messages end with, and makes
 * text taken from a file (keys, member names, dtypes, parser messages) safe to put in them.
 */
public final class IoErrors {
    /** Longest file-provided text a message shows; the rest becomes "...". */
    static final int SHOWN_CHARS = 100;
    /** Messages list this many keys at most. */
    private static final int LISTED = 10;

    private IoErrors() {
    }

    /**
     * {@code text} as a message may show it: one printable line, whatever the file held. Line
     * breaks, other control characters, invisible format characters (bidi overrides, zero-width
     * spaces) and lone surrogates become Python-style escapes ({@code \n}, {@code \x85},
     * {@code \u202e}), a backslash becomes two, and text over {@link #SHOWN_CHARS} is cut.
     */
    public static String shown(Object text) {
        String s = String.valueOf(text);
        StringBuilder b = new StringBuilder(Math.min(s.length(), SHOWN_CHARS) + 8);
        int i = 0;
        while (i < s.length()) {
            if (b.length() >= SHOWN_CHARS) {
                return b.append("...").toString();
            }
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                b.append(c <= 0xFF ? String.format("\\x%02x", c)
                        : c <= 0xFFFF ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else {
                b.appendCodePoint(c);
            }
        }
        return b.toString();
    }

    /** Keys as a message lists them: the first {@link #LISTED}, escaped, then how many more. */
    public static String listing(List<String> keys) {
        String shown = keys.stream().limit(LISTED).map(IoErrors::shown).collect(Collectors.joining(", "));
        return keys.size() <= LISTED ? shown : shown + " and " + (keys.size() - LISTED) + " more";
    }

    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "is a non-empty directory";
        }
        if (e instanceof FileSystemException) {
            String reason = ((FileSystemException) e).getReason();
            return reason != null ? lower(reason) : e.getClass().getSimpleName();
        }
        String m = e.getMessage();
        return m != null ? lower(m) : e.getClass().getSimpleName();
    }

    /**
     * Jackson's complaint as a message ends it: {@code " at line L, column C: what"}, on one line.
     * Jackson appends source excerpts and lists of what it expected, and names the method that
     * sets a limit it enforces: none of that helps the user.
     */
    public static String jsonProblem(JsonProcessingException e) {
        String m = e.getOriginalMessage().replaceAll(", from `[^`]*`\\)", ")");
        for (String cut : new String[] {"\n", ": was expecting (", " (start marker at"}) {
            int i = m.indexOf(cut);
            if (i >= 0) {
                m = m.substring(0, i);
            }
        }
        return position(e.getLocation()) + ": " + shown(lower(m));
    }

    /** Where in a JSON text: {@code " at line L, column C"}, or nothing when Jackson does not say. */
    public static String position(JsonLocation at) {
        return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    public static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
