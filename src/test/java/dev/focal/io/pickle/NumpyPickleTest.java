package dev.focal.io.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.TensorFile;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * numpy arrays as pickle.dumps writes them, protocols 2 to 5, against numpy's own bits
 * (tools/oracle/pickle_oracle.py's numpy.json); the allowlist's edges; and how a .pkl is told
 * from other files (docs/formats.md#pickled-numpy).
 */
class NumpyPickleTest {
    private static final Path FIXTURE = Path.of("src/test/resources/pickle/numpy.json");
    private static final String NUMERIC = "; focal reads bool, int8..int64, uint8..uint64 and float16/32/64";

    private static Map<String, JsonNode> cases() throws IOException {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        new ObjectMapper().readTree(FIXTURE.toFile()).forEach(c -> m.put(c.get("name").asText(), c));
        return m;
    }

    private static TensorFile read(byte[] pickle) {
        return PickleFormat.read("n.pkl", ByteSource.of(ByteBuffer.wrap(pickle)), 0, () -> { });
    }

    private static byte[] bytes(JsonNode c) {
        return HexFormat.of().parseHex(c.get("hex").asText());
    }

    @Test
    void everyArrayReadsAsNumpyWroteIt() throws IOException {
        int arrays = 0;
        for (JsonNode c : cases().values()) {
            if (!c.has("members")) {
                continue;
            }
            String name = c.get("name").asText();
            TensorFile f = read(bytes(c));
            List<String> paths = new ArrayList<>();
            c.get("members").forEach(m -> paths.add(m.get("path").asText()));
            assertEquals(paths.equals(List.of("")) ? List.of() : paths, f.keys(), name);
            for (JsonNode m : c.get("members")) {
                String path = m.get("path").asText();
                Tensor t = f.get(path.isEmpty() ? null : path);
                String what = name + ":" + path;
                assertEquals(m.get("dtype").asText(), t.dtype().numpyName(), what);
                long[] shape = new long[m.get("shape").size()];
                Arrays.setAll(shape, i -> m.get("shape").get(i).asLong());
                assertArrayEquals(shape, t.shape().dims(), what);
                assertEquals(m.get("fortran").asBoolean(), t.fortranOrder(), what);
                JsonNode bits = m.get("bits");
                assertEquals(bits.size(), t.count(), what);
                for (int i = 0; i < bits.size(); i++) {
                    assertEquals(Long.parseUnsignedLong(bits.get(i).asText()), t.rawBits(i), what + "[" + i + "]");
                }
                arrays++;
            }
        }
        assertEquals(89, arrays);
    }

    @Test
    void whatIsNoNumericArrayIsRefusedInOneLine() throws IOException {
        Map<String, JsonNode> c = cases();
        TensorFile complex = read(bytes(c.get("complex")));
        FocalException e = assertThrows(FocalException.class, () -> complex.get("c"));
        assertEquals("n.pkl:c: unsupported dtype numpy.dtype('c8')" + NUMERIC, e.getMessage());
        TensorFile datetime = read(bytes(c.get("datetime")));
        e = assertThrows(FocalException.class, () -> datetime.get("d"));
        assertEquals("n.pkl:d: unsupported dtype numpy.dtype('M8')" + NUMERIC, e.getMessage());
        e = assertThrows(FocalException.class, () -> read(bytes(c.get("strings_only"))));
        assertEquals("n.pkl: holds no tensors (a numpy object array of 2 items)", e.getMessage());
    }

    @Test
    void membersAreNamedAndListedInMessages() throws IOException {
        Map<String, JsonNode> c = cases();
        TensorFile big = read(bytes(c.get("big_endian_protocol_4")));
        assertEquals("n.pkl", big.name());
        FocalException e = assertThrows(FocalException.class, () -> big.get(null));
        assertEquals("n.pkl: holds 3 tensors (f8, i4, u2): name one as FILE:PATH", e.getMessage());
        e = assertThrows(FocalException.class, () -> big.get("f4"));
        assertEquals("n.pkl: no tensor 'f4' (has: f8, i4, u2)", e.getMessage());
        TensorFile zero = read(bytes(c.get("zero_d_protocol_4")));
        e = assertThrows(FocalException.class, () -> zero.get("x"));
        assertEquals("n.pkl: holds a single tensor, not a container: no member 'x'", e.getMessage());
        TensorFile one = read(bytes(c.get("object_array_of_one_dict_protocol_4")));
        assertEquals(List.of(0L, 1L, 2L), List.of(one.get(null).getLong(0), one.get(null).getLong(1),
                one.get(null).getLong(2)), "its one member needs no name");
    }

    @Test
    void aPickleFileIsToldByItsProtocolAndExtension(@TempDir Path tmp) throws IOException {
        PickleFormat p = new PickleFormat();
        assertEquals("pickle", p.name());
        assertTrue(p.matchesExtension("a.PKL"));
        assertTrue(p.matchesExtension("a.pickle"));
        assertFalse(p.matchesExtension("a.pk"));
        for (int protocol = 0; protocol < 7; protocol++) {
            byte[] head = {(byte) 0x80, (byte) protocol};
            assertEquals(protocol >= 2 && protocol <= 5, p.matchesContent(head, 2), "protocol " + protocol);
        }
        assertFalse(p.matchesContent(new byte[] {(byte) 0x80, 4}, 1), "one byte");
        assertFalse(p.matchesContent(new byte[] {(byte) 0x81, 4}, 2));
        assertFalse(p.matchesContent(new byte[] {(byte) 0x00, 4}, 2));

        Path file = tmp.resolve("a.pkl");
        Files.write(file, bytes(cases().get("fortran_protocol_5")));
        TensorFile f = p.open(file, "a.pkl");
        Tensor before = f.get("2d");
        f.close();
        assertEquals(5.0, before.getDouble(5), "a tensor outlives close");
        FocalException e = assertThrows(FocalException.class, () -> f.get("3d"));
        // Not a user's case (focal reads a file before it closes it): any one-line refusal will do.
        assertEquals("a.pkl:3d: cannot read: ClosedChannelException", e.getMessage());
        e = assertThrows(FocalException.class, () -> p.open(tmp.resolve("none.pkl"), "none.pkl"));
        assertEquals("none.pkl: cannot read: no such file or directory", e.getMessage());
    }

    private static Object call(NumpyPolicy p, Object callable, Object... args) throws PicklePolicy.Refusal {
        return p.call(callable, new Tuple(args));
    }

    @Test
    void theAllowlistsEdges() throws PicklePolicy.Refusal {
        NumpyPolicy p = new NumpyPolicy();
        Object od = p.global("collections", "OrderedDict");
        assertEquals(new LinkedHashMap<>(), call(p, od));
        PicklePolicy.Refusal r = assertThrows(PicklePolicy.Refusal.class, () -> call(p, od, 1L));
        assertEquals("refuses to call ORDERED_DICT", r.getMessage());
        p.build(new LinkedHashMap<>(), null);
        p.build(new LinkedHashMap<>(), new LinkedHashMap<>());
        r = assertThrows(PicklePolicy.Refusal.class, () -> p.build(new LinkedHashMap<>(), 1L));
        assertEquals("refuses to set the state of a dict", r.getMessage());
        r = assertThrows(PicklePolicy.Refusal.class, () -> p.global("numpy", "load"));
        assertEquals("refuses to load numpy.load (only tensors and plain containers are read)", r.getMessage());

        Object encode = p.global("_codecs", "encode");
        PickleBytes ff = (PickleBytes) call(p, encode, "\u00ff\u0000", "latin1");
        assertEquals(2, ff.length());
        r = assertThrows(PicklePolicy.Refusal.class, () -> call(p, encode, "\u00ff\u0100", "latin1"));
        assertEquals("array data encoded as latin-1 holds U+100", r.getMessage());

        // numpy's dtype state: (version, byte order, ...); an ndarray's: ([version,] shape, dtype, fortran, data)
        Object dtype = p.global("numpy", "dtype");
        NumpyPolicy.NumpyDType f2 = (NumpyPolicy.NumpyDType) call(p, dtype, "f2", false, true);
        p.build(f2, new Tuple(new Object[] {3L, ">"}));
        assertEquals(">", f2.order);
        r = assertThrows(PicklePolicy.Refusal.class, () -> p.build(f2, new Tuple(new Object[] {3L})));
        assertEquals("refuses to set the state of numpy.dtype('f2')", r.getMessage());
        Object reconstruct = p.global("numpy.core.multiarray", "_reconstruct");
        Object ndarray = p.global("numpy", "ndarray");
        NumpyPolicy.NdArray a = (NumpyPolicy.NdArray) call(p, reconstruct, ndarray, new Tuple(new Object[] {0L}), "b");
        FocalException e = assertThrows(FocalException.class, () -> a.tensor("x"));
        assertEquals("x: an ndarray whose state was never set", e.getMessage());
        PickleBytes two = (PickleBytes) call(p, encode, "\u003c\u0000", "latin1");
        p.build(a, new Tuple(new Object[] {new Tuple(new Object[] {1L}), f2, false, two}));
        assertEquals(1.0, a.tensor("x").getDouble(0), "float16 0x3c00, big-endian");
        r = assertThrows(PicklePolicy.Refusal.class, () -> p.build(a, new Tuple(new Object[] {1L, 2L, 3L, 4L})));
        assertEquals("an array's state is not numpy's (shape, dtype, fortran, data)", r.getMessage());
        r = assertThrows(PicklePolicy.Refusal.class, () -> p.build(a, new Tuple(new Object[] {1L, 2L, 3L})));
        assertEquals("refuses to set the state of numpy.ndarray", r.getMessage());
    }

    @Test
    void shapesHoldSixtyFourDimensionsOfZeroOrMore() throws PicklePolicy.Refusal {
        NumpyPolicy p = new NumpyPolicy();
        Object frombuffer = p.global("numpy._core.numeric", "_frombuffer");
        NumpyPolicy.NumpyDType u1 = (NumpyPolicy.NumpyDType) call(p, p.global("numpy", "dtype"), "u1", false, true);
        PickleBytes none = new PickleBytes(ByteSource.of(ByteBuffer.allocate(0)), 0, 0);
        Object[] dims = new Object[64];
        Arrays.fill(dims, 1L);
        dims[0] = 0L;
        NumpyPolicy.NdArray a = (NumpyPolicy.NdArray) call(p, frombuffer, none, u1, new Tuple(dims), "C");
        assertEquals(64, a.tensor("x").shape().rank());
        Object[] more = Arrays.copyOf(dims, 65);
        more[64] = 1L;
        PicklePolicy.Refusal r = assertThrows(PicklePolicy.Refusal.class,
                () -> call(p, frombuffer, none, u1, new Tuple(more), "C"));
        assertEquals("an array's shape is a tuple of 65", r.getMessage());
        r = assertThrows(PicklePolicy.Refusal.class,
                () -> call(p, frombuffer, none, u1, new Tuple(new Object[] {-1L}), "C"));
        assertEquals("an array's shape holds int -1", r.getMessage());
    }

    private static PickleLimits small(long maxValues, int maxDepth) {
        PickleLimits d = PickleLimits.DEFAULT;
        return new PickleLimits(maxValues, d.maxText(), d.maxTotalText(), maxDepth, d.maxRank(), d.maxTensors(),
                d.maxCopy());
    }

    private static Object plain(String ops) {
        byte[] b = ("\u0080\u0002" + ops + ".").getBytes(StandardCharsets.ISO_8859_1);
        return Unpickler.load("p.pkl", ByteSource.of(ByteBuffer.wrap(b)), 0, new PlainPolicy(), PickleLimits.DEFAULT)
                .value();
    }

    @Test
    void theWalkCountsEveryContainerAndLeafAndDictsNestToo() {
        // a list of three Nones: four visits
        Object list = plain("](NNNe");
        FocalException e = assertThrows(FocalException.class, () -> PickledFile.of("p.pkl", list, small(4, 5),
                () -> { }));
        assertEquals("p.pkl: holds no tensors (a list)", e.getMessage(), "four visits are within a cap of four");
        e = assertThrows(FocalException.class, () -> PickledFile.of("p.pkl", list, small(3, 5), () -> { }));
        assertEquals("p.pkl: its containers list over 3 values (shared many times over?), more than focal reads",
                e.getMessage());
        // dicts nested three deep: {0: {0: {0: None}}}
        Object dicts = plain("}K\u0000}K\u0000}K\u0000Nsss");
        e = assertThrows(FocalException.class, () -> PickledFile.of("p.pkl", dicts, small(100, 3), () -> { }));
        assertEquals("p.pkl: holds no tensors (a dict)", e.getMessage());
        e = assertThrows(FocalException.class, () -> PickledFile.of("p.pkl", dicts, small(100, 2), () -> { }));
        assertEquals("p.pkl: containers nest deeper than 2 levels", e.getMessage());
    }

    @Test
    void messagesShowNumpysValuesAsNumpyNamesThem() throws PicklePolicy.Refusal {
        NumpyPolicy p = new NumpyPolicy();
        Object dtype = p.call(p.global("numpy", "dtype"), new Tuple(new Object[] {"<f\n", false, true}));
        assertEquals("numpy.dtype('<f\\n')", dtype.toString());
        Object reconstruct = p.global("numpy._core.multiarray", "_reconstruct");
        Object a = p.call(reconstruct, new Tuple(new Object[] {p.global("numpy", "ndarray"), new Tuple(new Object[0]),
            "b"}));
        assertEquals("numpy.ndarray", a.toString());
    }
}
