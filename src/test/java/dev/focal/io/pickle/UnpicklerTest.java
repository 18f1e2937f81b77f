package dev.focal.io.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pickle machine on every opcode it reads, against what Python's pickle.loads makes of the
 * same bytes (tools/oracle/pickle_oracle.py), and on corrupt or hostile pickles, each refused
 * with exit 3 and one line naming the byte and the problem (docs/guarantees.md).
 */
class UnpicklerTest {
    private static final Path FIXTURE = Path.of("src/test/resources/pickle/plain.json");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static Unpickler.Result load(byte[] pickle) {
        return Unpickler.load("p.pkl", ByteSource.of(ByteBuffer.wrap(pickle)), 0, new PlainPolicy(),
                PickleLimits.DEFAULT);
    }

    /** The value in the fixture's typed form. */
    private static JsonNode typed(Object v) {
        ObjectNode n = JSON.objectNode();
        if (v == null) {
            return n.put("type", "none");
        }
        if (v instanceof Boolean) {
            return n.put("type", "bool").put("value", (Boolean) v);
        }
        if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
            throw new AssertionError("a 64-bit integer read as a BigInteger: " + v);
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return n.put("type", "int").put("value", v.toString());
        }
        if (v instanceof Double) {
            return n.put("type", "float").put("bits", Long.toString(Double.doubleToRawLongBits((Double) v)));
        }
        if (v instanceof String) {
            return n.put("type", "str").put("value", (String) v);
        }
        if (v instanceof PickleBytes) {
            PickleBytes b = (PickleBytes) v;
            ByteBuffer data;
            try {
                data = b.source().bytes(b.offset(), Math.toIntExact(b.length()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            // bytes and bytearray read alike: focal leaves both in the file.
            return n.put("type", "bytes").put("hex", HexFormat.of().formatHex(copy));
        }
        if (v instanceof Map) {
            ArrayNode items = n.put("type", "dict").putArray("items");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                items.addArray().add(typed(e.getKey())).add(typed(e.getValue()));
            }
            return n;
        }
        if (v instanceof List) {
            ArrayNode items = n.put("type", v instanceof Tuple ? "tuple" : "list").putArray("items");
            for (Object item : (List<?>) v) {
                items.add(typed(item));
            }
            return n;
        }
        throw new AssertionError("unexpected value " + v);
    }

    /** The fixture's value as focal reads it: a bytearray as bytes (see typed). */
    private static JsonNode asFocalReads(JsonNode expected) throws IOException {
        return new ObjectMapper().readTree(expected.toString().replace("\"type\":\"bytearray\"", "\"type\":\"bytes\""));
    }

    @Test
    void everyPickleReadsAsPythonReadsIt() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(FIXTURE.toFile());
        assertTrue(cases.size() >= 40, "the fixture lists its pickles");
        for (JsonNode c : cases) {
            byte[] pickle = HexFormat.of().parseHex(c.get("hex").asText());
            Unpickler.Result r = load(pickle);
            String name = c.get("name").asText();
            assertEquals(asFocalReads(c.get("value")), typed(r.value()), name);
            assertEquals(pickle.length, r.end(), name + ": ends after its STOP");
        }
    }

    @Test
    void aMemoizedValueIsTheSameObjectEachTimeItIsRead() {
        // (L, L) of one empty list L: EMPTY_LIST, BINPUT 0, BINGET 0, TUPLE2.
        List<?> v = (List<?>) load(HexFormat.of().parseHex("80025d71006800862e")).value();
        assertEquals(2, v.size());
        assertSame(v.get(0), v.get(1));
    }

    private static String refused(String hex) {
        byte[] pickle = HexFormat.of().parseHex(hex);
        FocalException e = assertThrows(FocalException.class, () -> load(pickle));
        assertEquals(FocalException.INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith("p.pkl: ") && !e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage().substring("p.pkl: ".length());
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void corruptPicklesAreRefusedAtTheirByte() {
        String p2 = "8002";
        assertEquals("pickle protocol 1 (focal reads protocols 2 to 5)", refused("8001" + hex("N.")));
        assertEquals("pickle protocol 6 (focal reads protocols 2 to 5)", refused("8006" + hex("N.")));
        assertEquals("corrupt pickle at byte 2: frame of 8 bytes runs past the end",
                refused(p2 + "950800000000000000" + hex("N.")));
        assertEquals("corrupt pickle at byte 2: frame of 18446744073709551615 bytes runs past the end",
                refused(p2 + "95ffffffffffffffff" + hex("N.")));
        assertEquals("corrupt pickle at byte 4: STOP with 2 values on the stack", refused(p2 + hex("NN.")));
        assertEquals("corrupt pickle at byte 2: STOP with 0 values on the stack", refused(p2 + hex(".")));
        assertEquals("corrupt pickle at byte 4: STOP with 1 values on the stack", refused(p2 + hex("N(.")));
        assertEquals("corrupt pickle at byte 2: stack underflow", refused(p2 + hex("0.")));
        assertEquals("corrupt pickle at byte 4: stack underflow", refused(p2 + hex("N(0.")));
        assertEquals("corrupt pickle at byte 4: stack underflow", refused(p2 + hex("N(2.")));
        assertEquals("corrupt pickle at byte 2: no MARK to pop to", refused(p2 + hex("t.")));
        assertEquals("corrupt pickle at byte 4: APPEND to None, not a list", refused(p2 + hex("NNa.")));
        assertEquals("corrupt pickle at byte 5: APPEND to a tuple of 0, not a list", refused(p2 + hex(")(Ne.")));
        assertEquals("corrupt pickle at byte 5: SETITEM on a list, not a dict", refused(p2 + hex("]NNs.")));
        assertEquals("corrupt pickle at byte 7: a dict's items are an odd number of values",
                refused(p2 + hex("}(NNNu.")));
        assertEquals("corrupt pickle at byte 5: a dict key is a list", refused(p2 + hex("}]Ns.")));
        assertEquals("corrupt pickle at byte 7: a dict key is a tuple holding a dict",
                refused(p2 + hex("}N}\u0086Ns.")));
        assertEquals("corrupt pickle at byte 2: memo entry 7 was never stored", refused(p2 + hex("h\u0007.")));
        assertEquals("corrupt pickle at byte 4: STACK_GLOBAL needs two strings", refused(p2 + hex("NN\u0093.")));
        assertEquals("corrupt pickle at byte 4: REDUCE arguments are not a tuple", refused(p2 + hex("NNR.")));
        assertEquals("corrupt pickle at byte 4: NEWOBJ arguments are not a tuple", refused(p2 + hex("NN\u0081.")));
        assertEquals("corrupt pickle at byte 2: an integer of 1025 bytes", refused(p2 + "8b01040000" + "00".repeat(1025)
                + hex(".")));
        assertEquals("corrupt pickle at byte 2: a string that is not UTF-8", refused(p2 + "8c02c328" + hex(".")));
        assertEquals("corrupt pickle at byte 2: a GLOBAL name over 256 characters",
                refused(p2 + hex("c" + "m".repeat(257) + "\nx\n.")));
        assertEquals("truncated pickle: ends at byte 3 before its STOP", refused(p2 + hex("N")));
        assertEquals("truncated pickle: ends at byte 5 inside a value", refused(p2 + hex("J\u0001\u0002")));
        assertEquals("truncated or corrupt pickle at byte 2: declares 5 bytes, 2 are left",
                refused(p2 + "8d0500000000000000" + hex("ab")));
    }

    @Test
    void whatCouldRunCodeOrIsNotProtocol2To5IsRefusedByName() {
        String p2 = "8002";
        String plain = " (only tensors and plain containers are read)";
        assertEquals("refuses to load os.system" + plain, refused(p2 + hex("cos\nsystem\n.")));
        assertEquals("refuses to load os.system" + plain, refused(p2 + "8c026f738c0673797374656d93" + hex(".")));
        assertEquals("refuses pickle opcode INST at byte 3" + plain, refused(p2 + hex("(ios\nsystem\n.")));
        assertEquals("refuses pickle opcode OBJ at byte 3" + plain, refused(p2 + hex("(o.")));
        assertEquals("refuses pickle opcode NEWOBJ_EX at byte 2" + plain, refused(p2 + "92"));
        assertEquals("refuses pickle opcode PERSID at byte 2" + plain, refused(p2 + hex("P1\n.")));
        assertEquals("refuses pickle opcode EXT at byte 2" + plain, refused(p2 + "8201"));
        assertEquals("refuses pickle opcode EXT at byte 2" + plain, refused(p2 + "830100"));
        assertEquals("refuses pickle opcode EXT at byte 2" + plain, refused(p2 + "8401000000"));
        assertEquals("refuses pickle opcode EMPTY_SET at byte 2" + plain, refused(p2 + "8f"));
        assertEquals("refuses pickle opcode ADDITEMS at byte 3" + plain, refused(p2 + hex("(") + "90"));
        assertEquals("refuses pickle opcode FROZENSET at byte 3" + plain, refused(p2 + hex("(") + "91"));
        assertEquals("refuses pickle opcode NEXT_BUFFER (out-of-band data) at byte 2" + plain, refused(p2 + "97"));
        assertEquals("refuses pickle opcode READONLY_BUFFER at byte 3" + plain, refused(p2 + hex("N") + "98"));
        for (char c : "ILFSVpg".toCharArray()) {
            assertEquals("refuses pickle opcode '" + c + "' (protocol 0 text) at byte 2" + plain,
                    refused(p2 + hex(c + "1\n.")));
        }
        for (char c : "TU".toCharArray()) {
            assertEquals("refuses pickle opcode '" + c + "' (a Python 2 str) at byte 2" + plain,
                    refused(p2 + hex(String.valueOf(c)) + "01000000" + hex("a.")));
        }
        assertEquals("refuses pickle opcode 0xff at byte 2" + plain, refused(p2 + "ff"));
        assertEquals("refuses pickle opcode 0x00 at byte 2" + plain, refused(p2 + "00"));
        assertEquals("refuses to call None", refused(p2 + hex("N)R.")));
        assertEquals("refuses to set the state of None", refused(p2 + hex("NNb.")));
    }

    private static Object loadWith(PickleLimits limits, String ops) {
        byte[] b = ("\u0080\u0002" + ops + ".").getBytes(StandardCharsets.ISO_8859_1);
        return Unpickler.load("p.pkl", ByteSource.of(ByteBuffer.wrap(b)), 0, new PlainPolicy(), limits).value();
    }

    private static PickleLimits values(long max) {
        PickleLimits d = PickleLimits.DEFAULT;
        return new PickleLimits(max, d.maxText(), d.maxTotalText(), d.maxDepth(), d.maxRank(), d.maxTensors(),
                d.maxCopy());
    }

    /** Pushes, container items and new memo entries each count once against the cap; it holds exactly. */
    @Test
    void everyValueCountsOnceAgainstTheCap() {
        // MARK, 3 x NONE, TUPLE: 4 values
        String tuple = "(NNNt";
        // EMPTY_LIST, NONE, APPEND, then MARK, 2 x NONE, APPENDS: 1 + 1 + 1 + 2 + 2 = 7 values
        String list = "]Na(NNe";
        // EMPTY_DICT, 2 x NONE... keys: K0 NONE SETITEM, MARK K1 NONE K2 NONE SETITEMS: 1 + 2 + 1 + 4 + 2 = 10
        String dict = "}K\u0000Ns(K\u0001NK\u0002Nu";
        // NONE, BINPUT 0 twice (one new entry), BINPUT 1: 1 + 1 + 1 = 3
        String memo = "Nq\u0000q\u0000q\u00010N";
        for (String[] c : new String[][] {{tuple, "4"}, {list, "7"}, {dict, "10"}, {memo, "4"}}) {
            long n = Long.parseLong(c[1]);
            loadWith(values(n), c[0]);
            FocalException e = assertThrows(FocalException.class, () -> loadWith(values(n - 1), c[0]), c[0]);
            assertEquals("p.pkl: pickle makes over " + (n - 1) + " values, more than focal reads", e.getMessage());
        }
    }

    @Test
    void stringsAreCappedAtTheirLimitExactly() {
        PickleLimits d = PickleLimits.DEFAULT;
        PickleLimits text = new PickleLimits(d.maxValues(), 4, 6, d.maxDepth(), d.maxRank(), d.maxTensors(),
                d.maxCopy());
        String four = "\u008c\u0004abcd";
        String two = "\u008c\u0002ef";
        assertEquals(List.of("abcd", "ef"), loadWith(text, four + two + "\u0086"));
        FocalException e = assertThrows(FocalException.class, () -> loadWith(text, four + two + "\u008c\u0001g"
                + "\u0087"));
        assertEquals("p.pkl: pickle holds over 6 bytes of strings, more than focal reads", e.getMessage());
    }

    @Test
    void aValueThatEndsTheFileLeavesNoRoomForStop() {
        assertEquals("truncated pickle: ends at byte 7 before its STOP", refused("8002" + hex("J\u0001\u0002\u0003"
                + "\u0004")));
        assertEquals("truncated pickle: ends at byte 9 before its STOP", refused("8002" + "8c02" + hex("ab") + "8c01"
                + hex("c")));
        assertEquals("truncated pickle: ends at byte 9 before its STOP", refused("8002" + "4303" + hex("abc")
                + "4300"));
        assertEquals("truncated pickle: ends at byte 9 before its STOP", refused("8002" + "5802000000" + hex("ab")));
    }

    /** Marks are kept in an array that grows past its first 16. */
    @Test
    void marksNestPastSixteen() {
        assertEquals(List.of(), loadWith(PickleLimits.DEFAULT, "(".repeat(40) + "1".repeat(39) + "t"));
    }

    @Test
    void describeNamesEveryKindOfValue() {
        assertEquals("None", Unpickler.describe(null));
        assertEquals("'a\\nb'", Unpickler.describe("a\nb"));
        assertEquals("a tuple of 2", Unpickler.describe(new Tuple(new Object[2])));
        assertEquals("a list", Unpickler.describe(new java.util.ArrayList<>()));
        assertEquals("a dict", Unpickler.describe(new java.util.LinkedHashMap<>()));
        assertEquals("bytes", Unpickler.describe(new PickleBytes(null, 0, 0)));
        assertEquals("int 7", Unpickler.describe(7L));
        assertEquals("int 18446744073709551616", Unpickler.describe(BigInteger.ONE.shiftLeft(64)));
        assertEquals("float 2.5", Unpickler.describe(2.5));
        assertEquals("True", Unpickler.describe(true));
        assertEquals("False", Unpickler.describe(false));
    }
}
