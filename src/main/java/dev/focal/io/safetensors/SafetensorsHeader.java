package dev.focal.io.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.focal.FocalException;
import dev.focal.io.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header, read and checked as the reference implementation checks it (its
 * {@code read_metadata} and {@code Metadata::validate}; docs/commands.md#safetensors): every
 * length against the file and the caps before memory is spent, then the JSON, then the offsets.
 */
final class SafetensorsHeader {
    /** The reference's MAX_HEADER_SIZE. */
    static final long MAX_HEADER = 100_000_000;
    /** serde_json's recursion limit, which the reference inherits. */
    static final int MAX_DEPTH = 128;
    /**
     * Heap bytes one header byte may cost once parsed, at worst: the header itself, and for the
     * smallest tensor entry (about 50 bytes of JSON) a record, its key, its shape and its slots in
     * a map and a list, about 180 bytes.
     */
    private static final int HEAP_PER_HEADER_BYTE = 6;
    static final String METADATA = "__metadata__";
    /**
     * focal's cap, as for a JSON bundle's keys: a model shard holds thousands of tensors, and a
     * header of hundreds of thousands of empty ones would only cost time and heap.
     */
    static final int MAX_TENSORS = 100_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // A header of a million distinct names would otherwise fill Jackson's name cache.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength((int) MAX_HEADER)
                    .maxNameLength((int) MAX_HEADER)
                    .build())
            .build();

    /** One tensor's entry: where its bytes are, relative to the start of the data. */
    record Entry(String key, SafetensorsDType dtype, long[] shape, long begin, long end) {
        String shown() {
            return "tensor '" + IoErrors.shown(key) + "'";
        }
    }

    /** Entries in the order of their data. */
    final List<Entry> entries;
    /** The same, by key. */
    final Map<String, Entry> byKey;
    /** {@code __metadata__} in file order; empty when the file has none. */
    final Map<String, String> metadata;
    /** File offset of the first data byte. */
    final long dataStart;

    private SafetensorsHeader(List<Entry> entries, Map<String, Entry> byKey, Map<String, String> metadata,
                              long dataStart) {
        this.entries = entries;
        this.byKey = byKey;
        this.metadata = metadata;
        this.dataStart = dataStart;
    }

    static SafetensorsHeader read(String name, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < Long.BYTES) {
            throw FocalException.input(name, "truncated: " + size
                    + " bytes, not even safetensors' 8-byte header length");
        }
        ByteBuffer prefix = readFully(ch, 0, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long n = prefix.getLong(0);
        if (n < 0 || n > MAX_HEADER) {
            throw FocalException.input(name, "header length " + Long.toUnsignedString(n)
                    + " is over safetensors' limit of " + MAX_HEADER + " bytes");
        }
        if (n > size - Long.BYTES) {
            throw FocalException.input(name, "truncated: header length " + n + ", file has "
                    + (size - Long.BYTES) + " bytes after it");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (n * HEAP_PER_HEADER_BYTE > heap - heap / 4) {
            throw FocalException.input(name, "header of " + n + " bytes needs up to "
                    + (n * HEAP_PER_HEADER_BYTE >> 20) + " MiB of heap, more than the " + ((heap - heap / 4) >> 20)
                    + " MiB focal gives it: give the JVM more (JAVA_OPTS=-Xmx8g)");
        }
        byte[] text = readFully(ch, Long.BYTES, (int) n).array();
        checkUtf8(name, text);
        int first = 0;
        while (first < text.length && (text[first] == ' ' || text[first] == '\t' || text[first] == '\n'
                || text[first] == '\r')) {
            first++;
        }
        if (first == text.length || text[first] != '{') {
            throw FocalException.input(name, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> byKey = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            parse(name, p, metadata, byKey);
        } catch (JsonProcessingException e) {
            throw FocalException.input(name, "invalid header JSON" + IoErrors.jsonProblem(e), e);
        }
        long dataStart = Long.BYTES + n;
        List<Entry> entries = new ArrayList<>(byKey.values());
        validate(name, entries, size - dataStart);
        return new SafetensorsHeader(Collections.unmodifiableList(entries), Collections.unmodifiableMap(byKey),
                Collections.unmodifiableMap(metadata), dataStart);
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("file shrank while it was read");
            }
        }
        return b;
    }

    /** Strict UTF-8, as Rust's from_utf8: no overlong forms, no encoded surrogates, nothing cut. */
    private static void checkUtf8(String name, byte[] text) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(text);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                throw FocalException.input(name, String.format("header is not valid UTF-8 (byte 0x%02x at header"
                        + " offset %d)", text[in.position()] & 0xFF, in.position()));
            }
            out.clear();
            if (r.isUnderflow()) {
                break;
            }
        }
        try {
            if (d.flush(out).isError()) {
                throw new CharacterCodingException();
            }
        } catch (CharacterCodingException e) {
            throw FocalException.input(name, "header is not valid UTF-8 (it ends inside a character)");
        }
    }

    private static void parse(String name, JsonParser p, Map<String, String> metadata, Map<String, Entry> byKey)
            throws IOException {
        p.nextToken();
        boolean hasMetadata = false;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            p.nextToken();
            if (key.equals(METADATA)) {
                if (hasMetadata) {
                    throw FocalException.input(name, METADATA + " is declared twice");
                }
                hasMetadata = true;
                metadata(name, p, metadata);
            } else if (byKey.size() == MAX_TENSORS) {
                throw FocalException.input(name, "holds over " + MAX_TENSORS + " tensors, focal's limit");
            } else if (byKey.putIfAbsent(key, entry(name, p, key)) != null) {
                throw FocalException.input(name, "tensor '" + IoErrors.shown(key) + "' is declared twice");
            }
        }
        JsonToken after;
        try {
            after = p.nextToken();
        } catch (JsonProcessingException e) {
            after = JsonToken.NOT_AVAILABLE;
        }
        if (after != null) {
            throw FocalException.input(name, "invalid header JSON" + IoErrors.position(p.currentTokenLocation())
                    + ": trailing data after the object");
        }
    }

    /** serde's Option of a map of strings: null, or an object whose values are all strings. */
    private static void metadata(String name, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw FocalException.input(name, METADATA + " is not an object of strings");
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw FocalException.input(name, METADATA + " '" + IoErrors.shown(key) + "': "
                        + IoErrors.shown(p.getText()) + " is not a string");
            }
            if (metadata.put(key, p.getText()) != null) {
                throw FocalException.input(name, METADATA + " '" + IoErrors.shown(key) + "' is declared twice");
            }
        }
    }

    /** One tensor's object; like serde, fields it does not know are skipped. */
    private static Entry entry(String name, JsonParser p, String key) throws IOException {
        String where = "tensor '" + IoErrors.shown(key) + "'";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw FocalException.input(name, where + ": not an object of dtype, shape and data_offsets");
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype":
                    dtype = once(name, where, field, dtype, p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null);
                    if (dtype == null) {
                        throw FocalException.input(name, where + ": \"dtype\" is not a string");
                    }
                    break;
                case "shape":
                    shape = once(name, where, field, shape, integers(name, where, field, p));
                    break;
                case "data_offsets":
                    offsets = once(name, where, field, offsets, integers(name, where, field, p));
                    if (offsets.length != 2) {
                        throw FocalException.input(name, where + ": \"data_offsets\" holds " + offsets.length
                                + " numbers, not [begin, end]");
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        for (Object[] required : new Object[][] {{"dtype", dtype}, {"shape", shape}, {"data_offsets", offsets}}) {
            if (required[1] == null) {
                throw FocalException.input(name, where + ": no \"" + required[0] + "\"");
            }
        }
        SafetensorsDType type = SafetensorsDType.named(dtype);
        if (type == null) {
            throw FocalException.input(name, where + ": unknown dtype '" + IoErrors.shown(dtype) + "'");
        }
        return new Entry(key, type, shape, offsets[0], offsets[1]);
    }

    private static <T> T once(String name, String where, String field, T old, T value) {
        if (old != null) {
            throw FocalException.input(name, where + ": \"" + field + "\" is declared twice");
        }
        return value;
    }

    /** An array of non-negative integers that fit a long (a usize the file could ever need). */
    private static long[] integers(String name, String where, String field, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw FocalException.input(name, where + ": \"" + field + "\" is not an array of integers");
        }
        long[] values = new long[4];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                String shown = t.isScalarValue() ? p.getText() : t.isStructStart() ? "a nested value" : t.asString();
                throw FocalException.input(name, where + ": \"" + field + "\" holds " + IoErrors.shown(shown)
                        + ", not an integer from 0 to 2^63 - 1");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, 2 * n);
            }
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    /**
     * The reference's checks, in its order: tensors sorted by their offsets must follow each
     * other from 0 without gap or overlap, each as long as its shape and dtype say, and the last
     * must end where the file ends.
     */
    private static void validate(String name, List<Entry> entries, long available) {
        if (entries.isEmpty()) {
            throw FocalException.input(name, "holds no tensors");
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long end = 0;
        Entry previous = null;
        for (Entry e : entries) {
            if (e.end() < e.begin()) {
                throw FocalException.input(name, e.shown() + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] end before they begin");
            }
            if (e.begin() < end) {
                throw FocalException.input(name, e.shown() + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap " + previous.shown() + " [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > end) {
                throw FocalException.input(name, e.shown() + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] leave a gap of " + (e.begin() - end) + " bytes "
                        + (previous == null ? "at the start of the data" : "after " + previous.shown()));
            }
            long bytes = bytes(name, e);
            if (e.end() - e.begin() != bytes) {
                throw FocalException.input(name, e.shown() + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] hold " + (e.end() - e.begin()) + " bytes, shape " + shape(e.shape()) + " of "
                        + e.dtype().name() + " needs " + bytes);
            }
            end = e.end();
            previous = e;
        }
        if (end > available) {
            throw FocalException.input(name, "truncated: the tensors need " + end + " data bytes, file has "
                    + available);
        }
        if (end < available) {
            throw FocalException.input(name, (available - end) + " bytes after the last tensor's data (the"
                    + " tensors must cover the data to the end of the file)");
        }
    }

    private static long bytes(String name, Entry e) {
        long count = 1;
        for (long d : e.shape()) {
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException x) {
                throw FocalException.input(name, e.shown() + ": shape " + shape(e.shape())
                        + " has more than 2^63 elements");
            }
        }
        long bits;
        try {
            bits = Math.multiplyExact(count, (long) e.dtype().bits());
        } catch (ArithmeticException x) {
            throw FocalException.input(name, e.shown() + ": shape " + shape(e.shape()) + " of " + e.dtype().name()
                    + " is over 2^63 bytes");
        }
        if (bits % 8 != 0) {
            throw FocalException.input(name, e.shown() + ": shape " + shape(e.shape()) + " of " + e.dtype().name()
                    + " does not fill whole bytes");
        }
        return bits / 8;
    }

    static String shape(long[] dims) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return b.append(']').toString();
    }
}
