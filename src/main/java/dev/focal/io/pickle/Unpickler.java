package dev.focal.io.pickle;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.IoErrors;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle machine for protocols 2 to 5 that builds only plain values: dicts (LinkedHashMap),
 * lists (ArrayList), tuples ({@link Tuple}), None (null), bools, ints (Long, or BigInteger past
 * 64 bits), floats, strings, bytes ({@link PickleBytes}, left in the file), and what its
 * {@link PicklePolicy} makes of the globals it allows. Nothing in the file is ever executed or
 * instantiated: a global is a name the policy looks up in its own list. The policy follows
 * PyTorch's torch/_weights_only_unpickler.py.
 * <p>
 * Ours rather than net.razorvine:pickle, which resolves any global to a constructor it builds
 * and allocates whatever length a file declares; here every length is checked against the
 * bytes left and against {@link PickleLimits} before anything is allocated.
 */
public final class Unpickler {
    private static final int CHUNK = 1 << 16;

    private final String name;
    private final ByteSource source;
    private final PicklePolicy policy;
    private final PickleLimits limits;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private long values;
    private long text;
    private long pos;
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long chunkStart;

    private Unpickler(String name, ByteSource source, long start, PicklePolicy policy, PickleLimits limits) {
        this.name = name;
        this.source = source;
        this.policy = policy;
        this.limits = limits;
        this.pos = start;
    }

    /** The value of the pickle at {@code start}, and where it ends. */
    public record Result(Object value, long end) {
    }

    /** Loads the pickle that starts at byte {@code start} of {@code source}; {@code name} is for messages. */
    public static Result load(String name, ByteSource source, long start, PicklePolicy policy, PickleLimits limits) {
        Unpickler u = new Unpickler(name, source, start, policy, limits);
        try {
            Object v = u.run();
            return new Result(v, u.pos);
        } catch (PicklePolicy.Refusal e) {
            throw FocalException.input(name, e.getMessage());
        } catch (IOException e) {
            throw FocalException.input(name, "cannot read: " + IoErrors.describe(e), e);
        }
    }

    private FocalException corrupt(long at, String problem) {
        return FocalException.input(name, "corrupt pickle at byte " + at + ": " + problem);
    }

    private Object run() throws IOException, PicklePolicy.Refusal {
        while (true) {
            long at = pos;
            int op = u8();
            switch (op) {
                case 0x80: { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) {
                        throw FocalException.input(name, "pickle protocol " + v + " (focal reads protocols 2 to 5)");
                    }
                    break;
                }
                case 0x95: // FRAME: a length hint only; the bytes follow in line
                    long frame = le(8);
                    if (frame < 0 || frame > source.size() - pos) {
                        throw corrupt(at, "frame of " + Long.toUnsignedString(frame) + " bytes runs past the end");
                    }
                    break;
                case '.': // STOP
                    if (stack.size() != 1 || markCount != 0) {
                        throw corrupt(at, "STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                case '(': // MARK
                    if (markCount == limits.maxDepth()) {
                        throw FocalException.input(name, "pickle nests deeper than " + limits.maxDepth() + " levels");
                    }
                    if (markCount == marks.length) {
                        marks = Arrays.copyOf(marks, markCount * 2);
                    }
                    marks[markCount++] = stack.size();
                    break;
                case '0': // POP
                    pop(at);
                    break;
                case '1': // POP_MARK
                    popMark(at);
                    break;
                case '2': // DUP
                    push(peek(at));
                    break;
                case '}':
                    push(new LinkedHashMap<>());
                    break;
                case ']':
                    push(new ArrayList<>());
                    break;
                case ')':
                    push(new Tuple(new Object[0]));
                    break;
                case 0x85:
                    push(tuple(at, 1));
                    break;
                case 0x86:
                    push(tuple(at, 2));
                    break;
                case 0x87:
                    push(tuple(at, 3));
                    break;
                case 't':
                    push(new Tuple(popMark(at).toArray()));
                    break;
                case 'l':
                    push(new ArrayList<>(popMark(at)));
                    break;
                case 'd':
                    Map<Object, Object> d = new LinkedHashMap<>();
                    setItems(at, d, popMark(at));
                    push(d);
                    break;
                case 'a': { // APPEND
                    Object v = pop(at);
                    list(at, peek(at)).add(v);
                    count(1);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popMark(at);
                    list(at, peek(at)).addAll(items);
                    count(items.size());
                    break;
                }
                case 's': { // SETITEM
                    // Arrays.asList, not List.of: a key or value may be None (null).
                    Object v = pop(at);
                    Object k = pop(at);
                    setItems(at, dict(at, peek(at)), Arrays.asList(k, v));
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popMark(at);
                    setItems(at, dict(at, peek(at)), items);
                    break;
                }
                case 'N':
                    push(null);
                    break;
                case 0x88:
                    push(Boolean.TRUE);
                    break;
                case 0x89:
                    push(Boolean.FALSE);
                    break;
                case 'J':
                    push((long) (int) le(4));
                    break;
                case 'K':
                    push((long) u8());
                    break;
                case 'M':
                    push(le(2));
                    break;
                case 0x8a: // LONG1
                    push(longOf(at, u8()));
                    break;
                case 0x8b: // LONG4
                    push(longOf(at, length(at, le(4))));
                    break;
                case 'G':
                    push(Double.longBitsToDouble(be(8)));
                    break;
                case 'X':
                    push(string(at, length(at, le(4))));
                    break;
                case 0x8c:
                    push(string(at, u8()));
                    break;
                case 0x8d:
                    push(string(at, length(at, le(8))));
                    break;
                case 'B':
                    push(bytes(at, length(at, le(4))));
                    break;
                case 'C':
                    push(bytes(at, u8()));
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    push(bytes(at, length(at, le(8))));
                    break;
                case 'c': { // GLOBAL
                    String module = line(at);
                    push(policy.global(module, line(at)));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object n = pop(at);
                    Object m = pop(at);
                    if (!(m instanceof String) || !(n instanceof String)) {
                        throw corrupt(at, "STACK_GLOBAL needs two strings");
                    }
                    push(policy.global((String) m, (String) n));
                    break;
                }
                case 'R': // REDUCE
                case 0x81: { // NEWOBJ
                    Object args = pop(at);
                    Object callable = pop(at);
                    if (!(args instanceof Tuple)) {
                        throw corrupt(at, (op == 'R' ? "REDUCE" : "NEWOBJ") + " arguments are not a tuple");
                    }
                    push(policy.call(callable, (Tuple) args));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop(at);
                    policy.build(peek(at), state);
                    break;
                }
                case 'Q': // BINPERSID
                    push(policy.persistentLoad(pop(at)));
                    break;
                case 'q':
                    memoize(u8(), peek(at));
                    break;
                case 'r':
                    memoize(le(4), peek(at));
                    break;
                case 0x94: // MEMOIZE
                    memoize(memo.size(), peek(at));
                    break;
                case 'h':
                    push(get(at, u8()));
                    break;
                case 'j':
                    push(get(at, le(4)));
                    break;
                default:
                    throw FocalException.input(name, "refuses pickle opcode " + opcodeName(op) + " at byte " + at
                            + " (only tensors and plain containers are read)");
            }
        }
    }

    private static String opcodeName(int op) {
        switch (op) {
            case 'i': return "INST";
            case 'o': return "OBJ";
            case 0x92: return "NEWOBJ_EX";
            case 'P': return "PERSID";
            case 0x82: case 0x83: case 0x84: return "EXT";
            case 0x8f: return "EMPTY_SET";
            case 0x90: return "ADDITEMS";
            case 0x91: return "FROZENSET";
            case 0x97: return "NEXT_BUFFER (out-of-band data)";
            case 0x98: return "READONLY_BUFFER";
            case 'I': case 'L': case 'F': case 'S': case 'V': case 'p': case 'g': return "'" + (char) op
                    + "' (protocol 0 text)";
            case 'T': case 'U': return "'" + (char) op + "' (a Python 2 str)";
            default: return String.format("0x%02x", op);
        }
    }

    // ---- stack ----

    private void count(long n) {
        values += n;
        if (values > limits.maxValues()) {
            throw FocalException.input(name, "pickle makes over " + limits.maxValues()
                    + " values, more than focal reads");
        }
    }

    private void push(Object v) {
        count(1);
        stack.add(v);
    }

    private Object pop(long at) {
        if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw corrupt(at, "stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) {
        if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw corrupt(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(long at) {
        if (markCount == 0) {
            throw corrupt(at, "no MARK to pop to");
        }
        int m = marks[--markCount];
        List<Object> top = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Tuple tuple(long at, int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop(at);
        }
        return new Tuple(items);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(long at, Object v) {
        if (!(v instanceof ArrayList)) {
            throw corrupt(at, "APPEND to " + describe(v) + ", not a list");
        }
        return (List<Object>) v;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(long at, Object v) {
        if (!(v instanceof Map)) {
            throw corrupt(at, "SETITEM on " + describe(v) + ", not a dict");
        }
        return (Map<Object, Object>) v;
    }

    private void setItems(long at, Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt(at, "a dict's items are an odd number of values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(at, items.get(i)), items.get(i + 1));
        }
        count(items.size() / 2);
    }

    /**
     * Python refuses unhashable keys; focal also refuses tuples holding containers, whose hash
     * would walk (and could cycle through) whatever they hold.
     */
    private Object key(long at, Object k) {
        if (k instanceof Tuple) {
            for (Object item : (Tuple) k) {
                if (!scalar(item)) {
                    throw corrupt(at, "a dict key is a tuple holding " + describe(item));
                }
            }
            return k;
        }
        if (!scalar(k)) {
            throw corrupt(at, "a dict key is " + describe(k));
        }
        return k;
    }

    private static boolean scalar(Object v) {
        return v == null || v instanceof String || v instanceof Long || v instanceof BigInteger
                || v instanceof Double || v instanceof Boolean;
    }

    /** A new entry counts as a value; one stored again over itself does not (None included). */
    private void memoize(long index, Object v) {
        if (!memo.containsKey(index)) {
            count(1);
        }
        memo.put(index, v);
    }

    private Object get(long at, long index) {
        Object v = memo.get(index);
        if (v == null && !memo.containsKey(index)) {
            throw corrupt(at, "memo entry " + index + " was never stored");
        }
        return v;
    }

    // ---- values ----

    /**
     * A length field's value, checked against the bytes the file has left: {@code le(4)} is
     * unsigned already, an 8-byte length past 2^63 - 1 is negative here.
     */
    private long length(long at, long value) {
        if (value < 0 || value > source.size() - pos) {
            throw FocalException.input(name, "truncated or corrupt pickle at byte " + at + ": declares "
                    + Long.toUnsignedString(value) + " bytes, " + (source.size() - pos) + " are left");
        }
        return value;
    }

    private Object longOf(long at, long n) throws IOException {
        if (n > 1024) {
            throw corrupt(at, "an integer of " + n + " bytes");
        }
        byte[] b = read((int) n);
        if (n <= 8) {
            long v = 0;
            for (int i = (int) n - 1; i >= 0; i--) {
                v = v << 8 | (b[i] & 0xFF);
            }
            return n == 0 ? 0L : v << (64 - 8 * n) >> (64 - 8 * n);
        }
        byte[] big = new byte[(int) n];
        for (int i = 0; i < n; i++) {
            big[i] = b[(int) n - 1 - i];
        }
        return new BigInteger(big);
    }

    private String string(long at, long n) throws IOException {
        spendText(at, n);
        byte[] b = read((int) n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(at, "a string that is not UTF-8");
        }
    }

    private void spendText(long at, long n) {
        if (n > limits.maxText()) {
            throw FocalException.input(name, "pickle holds a string of " + n + " bytes at byte " + at
                    + ", over the " + limits.maxText() + " focal reads");
        }
        text += n;
        if (text > limits.maxTotalText()) {
            throw FocalException.input(name, "pickle holds over " + limits.maxTotalText()
                    + " bytes of strings, more than focal reads");
        }
    }

    /** Bytes stay in the file; only their place is kept. */
    private PickleBytes bytes(long at, long n) {
        PickleBytes b = new PickleBytes(source, pos, n);
        pos += n;
        return b;
    }

    /** A text line of GLOBAL, without its newline. */
    private String line(long at) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return b.toString();
            }
            if (b.length() == 256) {
                throw corrupt(at, "a GLOBAL name over 256 characters");
            }
            b.append((char) c);
        }
    }

    /** A short description of a value for messages: its Python type, or a string's text. */
    public static String describe(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String) {
            return "'" + IoErrors.shown(v) + "'";
        }
        if (v instanceof Tuple) {
            return "a tuple of " + ((Tuple) v).size();
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "a dict";
        }
        if (v instanceof PickleBytes) {
            return "bytes";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "int " + v;
        }
        if (v instanceof Double) {
            return "float " + v;
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        return IoErrors.shown(v);
    }

    // ---- bytes ----

    private int u8() throws IOException {
        if (pos >= source.size()) {
            throw FocalException.input(name, "truncated pickle: ends at byte " + pos + " before its STOP");
        }
        if (pos < chunkStart || pos >= chunkStart + chunk.limit()) {
            chunkStart = pos;
            chunk = source.bytes(pos, (int) Math.min(CHUNK, source.size() - pos));
        }
        return chunk.get((int) (pos++ - chunkStart)) & 0xFF;
    }

    private byte[] read(int n) throws IOException {
        if (n > source.size() - pos) {
            throw FocalException.input(name, "truncated pickle: ends at byte " + source.size() + " inside a value");
        }
        if (n > CHUNK / 16) {
            byte[] b = source.bytes(pos, n).array();
            pos += n;
            return b;
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) u8();
        }
        return b;
    }

    private long le(int n) throws IOException {
        byte[] b = read(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    private long be(int n) throws IOException {
        byte[] b = read(n);
        return ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).getLong();
    }
}
