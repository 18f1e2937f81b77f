package dev.focal.io.npy;

import dev.focal.io.IoErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal subset that .npy headers hold: dicts, tuples, lists, strings in
 * either quote, integers (with an optional {@code L} suffix), {@code True}, {@code False} and
 * {@code None}. Lists become {@link List}s, tuples {@link Tuple}s (a value in parentheses
 * without a comma is that value, as in Python), integers {@link Long}s.
 * <p>
 * Not Jackson: numpy writes the header with Python's repr, which is not JSON (single quotes,
 * tuples such as {@code (3,)}, {@code True} and {@code False}), and no JSON reader's leniency
 * options cover all of it.
 */
final class PyLiteral {
    /** Thrown with a short description of what is wrong; the caller adds the file name. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message);
        }
    }

    /** A tuple, told apart from a list: numpy requires the shape to be one. */
    record Tuple(List<Object> items) {
    }

    /** Nesting deeper than any numpy header; bounds the recursion on hostile input. */
    private static final int MAX_DEPTH = 32;

    private final String s;
    private int pos;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** Python's repr of a parsed value, for messages that show the header's own text. */
    static String repr(Object v) {
        if (v instanceof String) {
            return "'" + v + "'";
        }
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof Tuple) {
            List<Object> items = ((Tuple) v).items();
            return items.size() == 1 ? "(" + repr(items.get(0)) + ",)" : "(" + reprs(items) + ")";
        }
        if (v instanceof List) {
            return "[" + reprs((List<?>) v) + "]";
        }
        if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                b.append(b.length() > 1 ? ", " : "").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return b.append('}').toString();
        }
        return String.valueOf(v);
    }

    private static String reprs(List<?> items) {
        StringBuilder b = new StringBuilder();
        for (Object item : items) {
            b.append(b.length() > 0 ? ", " : "").append(repr(item));
        }
        return b.toString();
    }

    static Object parse(String text) throws SyntaxError {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != p.s.length()) {
            throw new SyntaxError("unexpected text after the literal at character " + p.pos);
        }
        return v;
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw new SyntaxError("literal nested too deeply");
        }
        skipSpace();
        if (pos >= s.length()) {
            throw new SyntaxError("unexpected end of header");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{': return dict(depth);
            case '(': return tuple(depth);
            case '[': return list(depth);
            case '\'': case '"': return string();
            default:
                if (c == '-' || c == '+' || Character.isDigit(c)) {
                    return integer();
                }
                return word();
        }
    }

    private Map<Object, Object> dict(int depth) throws SyntaxError {
        Map<Object, Object> map = new LinkedHashMap<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek('}')) {
                pos++;
                return map;
            }
            Object key = value(depth + 1);
            skipSpace();
            expect(':');
            Object v = value(depth + 1);
            if (map.put(key, v) != null) {
                throw new SyntaxError("key " + IoErrors.shown(key) + " appears twice");
            }
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (!peek('}')) {
                throw new SyntaxError("expected ',' or '}' at character " + pos);
            }
        }
    }

    /** {@code (a, b)}, {@code (a,)} and {@code ()} are tuples; {@code (a)} is a. */
    private Object tuple(int depth) throws SyntaxError {
        List<Object> items = new ArrayList<>();
        boolean comma = sequence(')', depth, items);
        return items.size() == 1 && !comma ? items.get(0) : new Tuple(items);
    }

    private List<Object> list(int depth) throws SyntaxError {
        List<Object> items = new ArrayList<>();
        sequence(']', depth, items);
        return items;
    }

    /** Reads the items up to {@code close} into {@code items}; returns whether a comma followed one. */
    private boolean sequence(char close, int depth, List<Object> items) throws SyntaxError {
        boolean comma = false;
        pos++;
        while (true) {
            skipSpace();
            if (peek(close)) {
                pos++;
                return comma;
            }
            items.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                pos++;
                comma = true;
            } else if (!peek(close)) {
                throw new SyntaxError("expected ',' or '" + close + "' at character " + pos);
            }
        }
    }

    private String string() throws SyntaxError {
        char quote = s.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && pos < s.length()) {
                c = s.charAt(pos++);
            }
            sb.append(c);
        }
        throw new SyntaxError("unterminated string");
    }

    private Long integer() throws SyntaxError {
        int start = pos;
        if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
            pos++;
        }
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        String digits = s.substring(start, pos);
        if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
            pos++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new SyntaxError("integer " + IoErrors.shown(digits) + " is not a 64-bit number");
        }
    }

    private Object word() throws SyntaxError {
        int start = pos;
        while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
            pos++;
        }
        String w = s.substring(start, pos);
        switch (w) {
            case "True": return Boolean.TRUE;
            case "False": return Boolean.FALSE;
            case "None": return null;
            default:
                throw new SyntaxError("unexpected " + IoErrors.shown(w.isEmpty() ? "'" + s.charAt(pos) + "'" : w)
                        + " at character " + start);
        }
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void expect(char c) throws SyntaxError {
        if (!peek(c)) {
            throw new SyntaxError("expected '" + c + "' at character " + pos);
        }
        pos++;
    }
}
