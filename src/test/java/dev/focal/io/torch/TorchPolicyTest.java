package dev.focal.io.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import dev.focal.io.ByteSource;
import dev.focal.io.TensorFile;
import dev.focal.io.pickle.PickleLimits;
import dev.focal.io.pickle.PickledFile;
import dev.focal.io.pickle.PicklePolicy;
import dev.focal.io.pickle.Unpickler;
import dev.focal.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * How torch.save files are told from others, and the allowlist's refusals and limits on the
 * objects torch.save writes (tools/oracle/torch_oracle.py's files; docs/formats.md#the-allowlist).
 */
class TorchPolicyTest {
    private static final Path ORACLE = Path.of("src/test/resources/io/torch/oracle");
    private static final Path TORCH = Path.of("src/test/resources/io/torch");
    private static final String PLAIN = " (only tensors and plain containers are read)";

    private static byte[] head(Path file, int n) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOf(all, Math.min(n, all.length));
    }

    private static boolean matches(byte[] head) {
        return new TorchFormat().matchesContent(head, head.length);
    }

    @Test
    void theZipFormatIsToldByItsFirstRecordsFolderAndTheLegacyOneByItsMagic() throws IOException {
        byte[] zip = head(ORACLE.resolve("views.pt"), 512);
        // "archive/data.pkl" (16 bytes) ends the local header at byte 46
        assertEquals(16, zip[26] | zip[27] << 8);
        assertTrue(matches(Arrays.copyOf(zip, 46)));
        assertFalse(matches(Arrays.copyOf(zip, 45)), "the name cut short");
        assertFalse(matches(Arrays.copyOf(zip, 29)), "the local header cut short");
        byte[] otherRecord = Arrays.copyOf(zip, 46);
        otherRecord[38] = 'X'; // archive/Xata.pkl
        assertFalse(matches(otherRecord), "a record torch.save does not write");
        byte[] storage = ("PK\3\4" + "\0".repeat(22) + "\16\0\0\0" + "archive/data/0").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(matches(storage), "a storage record first");
        byte[] noFolder = ("PK\3\4" + "\0".repeat(22) + "\10\0\0\0" + "data.pkl").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(matches(noFolder));
        byte[] rootSlash = ("PK\3\4" + "\0".repeat(22) + "\11\0\0\0" + "/data.pkl").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(matches(rootSlash));
        byte[] wide = Arrays.copyOf(storage, storage.length);
        wide[27] = 1; // a name of 256 + 14 bytes: past the head
        assertFalse(matches(wide));
        assertFalse(matches(head(TORCH.resolve("../safetensors/bundle.npz"), 512)), "numpy's savez");

        byte[] legacy = head(ORACLE.resolve("views_legacy.pt"), 4);
        assertTrue(matches(legacy));
        assertFalse(matches(Arrays.copyOf(legacy, 3)));
        for (int i = 0; i < 4; i++) {
            byte[] changed = legacy.clone();
            changed[i] ^= 1;
            assertFalse(matches(changed), "byte " + i);
        }
        assertFalse(matches(head(TORCH.resolve("arrays_p2.pkl"), 512)), "a pickle of protocol 2 that is no int");

        byte[] tar = head(Path.of("src/test/resources/bad/torch/old_tar.pt"), 262);
        assertTrue(matches(tar));
        assertFalse(matches(Arrays.copyOf(tar, 261)));
        assertFalse(matches(new byte[0]));
    }

    @Test
    void namesAndExtensions() {
        TorchFormat f = new TorchFormat();
        assertEquals("PyTorch", f.name());
        assertTrue(f.matchesExtension("a.pt"));
        assertTrue(f.matchesExtension("CKPT.PTH"));
        assertFalse(f.matchesExtension("a.pkl"));
        assertFalse(f.matchesExtension("a.ptx"));
    }

    @Test
    void aTensorHasAtMostMaxRankSizes() {
        PickleLimits d = PickleLimits.DEFAULT;
        PickleLimits rank2 = new PickleLimits(d.maxValues(), d.maxText(), d.maxTotalText(), d.maxDepth(), 2,
                d.maxTensors(), d.maxCopy());
        String two = "K\u0001K\u0001\u0086";
        String three = "K\u0001K\u0001K\u0001\u0087";
        String v2 = "ctorch._utils\n_rebuild_tensor_v2\n(" + pid("FloatStorage", "0", 1, "") + "K\u0000";
        byte[] ok = ("\u0080\u0002" + v2 + two + two + "\u0089}tR.").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Object t = Unpickler.load("t.pt", ByteSource.of(ByteBuffer.wrap(ok)), 0,
                new TorchPolicy(bytes(new byte[4]), rank2, 5), rank2).value();
        assertEquals(2, ((dev.focal.io.pickle.TensorLeaf) t).tensor("t").shape().rank());
        byte[] over = ("\u0080\u0002" + v2 + three + three + "\u0089}tR.").getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);
        FocalException e = assertThrows(FocalException.class, () -> Unpickler.load("t.pt",
                ByteSource.of(ByteBuffer.wrap(over)), 0, new TorchPolicy(bytes(new byte[4]), rank2, 5), rank2));
        assertEquals("t.pt: a tensor's sizes are a tuple of 3", e.getMessage());
    }

    @Test
    void aFileOfNeitherFormatIsRefusedInOneLine(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path pk = tmp.resolve("pk.pt");
        Files.write(pk, new byte[] {'P', 'K'});
        FocalException zip = assertThrows(FocalException.class, () -> new TorchFormat().open(pk, "pk.pt"));
        assertEquals("pk.pt: not a zip archive, or truncated: no end-of-central-directory record", zip.getMessage(),
                "PK is a zip's start, however short");
        FocalException tar = assertThrows(FocalException.class,
                () -> new TorchFormat().open(Path.of("src/test/resources/bad/torch/old_tar.pt"), "old.pt"));
        assertEquals("old.pt: a tar archive: the torch.save format of PyTorch before 0.1.10, which focal does not"
                + " read (load it with torch and save it again)", tar.getMessage());
        Files.write(pk, new byte[] {'P'});
        zip = assertThrows(FocalException.class, () -> new TorchFormat().open(pk, "pk.pt"));
        assertEquals("pk.pt: not a torch.save file (neither its zip format nor its legacy one)", zip.getMessage());
        FocalException e = assertThrows(FocalException.class,
                () -> new TorchFormat().open(TORCH.resolve("arrays_p2.pkl"), "a.pt"));
        assertEquals("a.pt: not a torch.save file (neither its zip format nor its legacy one)", e.getMessage());
        e = assertThrows(FocalException.class, () -> new TorchFormat().open(TORCH.resolve("missing.pt"), "m.pt"));
        assertEquals("m.pt: cannot read: no such file or directory", e.getMessage());
    }

    /** The storages of a torch.save zip, read with java.util.zip: what TorchZip would map. */
    private static final class ZipStorages implements Storages {
        private final ZipFile zip;

        ZipStorages(ZipFile zip) {
            this.zip = zip;
        }

        @Override
        public ByteSource bytes(StorageRef ref) {
            try {
                return ByteSource.of(ByteBuffer.wrap(zip.getInputStream(zip.getEntry("archive/data/" + ref.key()))
                        .readAllBytes()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public ByteOrder order() {
            return ByteOrder.LITTLE_ENDIAN;
        }
    }

    private static TensorFile read(String file, PickleLimits limits) throws IOException {
        try (ZipFile zip = new ZipFile(ORACLE.resolve(file).toFile())) {
            byte[] pickle = zip.getInputStream(zip.getEntry("archive/data.pkl")).readAllBytes();
            Storages storages = new ZipStorages(new ZipFile(ORACLE.resolve(file).toFile()));
            Object root = Unpickler.load(file, ByteSource.of(ByteBuffer.wrap(pickle)), 0,
                    new TorchPolicy(storages, limits, 5), limits).value();
            return PickledFile.of(file, root, limits, () -> { });
        }
    }

    private static PickleLimits limits(int maxTensors, long maxCopy) {
        PickleLimits d = PickleLimits.DEFAULT;
        return new PickleLimits(d.maxValues(), d.maxText(), d.maxTotalText(), d.maxDepth(), d.maxRank(),
                maxTensors, maxCopy);
    }

    @Test
    void aStridedViewIsCopiedOnlyUpToTheCap() throws IOException {
        // permuted: 2 * 4 * 5 * 3 float32, 480 bytes copied into C order
        assertEquals(480 / 4, read("views.pt", limits(100, 480)).get("permuted").count());
        TensorFile f = read("views.pt", limits(100, 479));
        FocalException e = assertThrows(FocalException.class, () -> f.get("permuted"));
        assertEquals("views.pt:permuted: a strided view of 480 bytes, over the 479 focal copies to make it"
                + " contiguous; save t.contiguous() instead", e.getMessage());
        assertEquals(120, f.get("fortran").count(), "a Fortran view is mapped, not copied");
        // Axes of length 1 may have any stride: these are mapped in place, so a cap of 0 bytes lets them through.
        TensorFile none = read("views.pt", limits(100, 0));
        for (String k : List.of("fortran", "row", "cell", "element", "half_t", "none_at_the_end")) {
            assertEquals(read("views.pt", limits(100, 1 << 20)).get(k).count(), none.get(k).count(), k);
        }
        e = assertThrows(FocalException.class, () -> none.get("column"));
        assertEquals("views.pt:column: a strided view of 32 bytes, over the 0 focal copies to make it contiguous;"
                + " save t.contiguous() instead", e.getMessage());
    }

    /** One storage's bytes, whatever its key: a hand-made storage for the policy's own cases. */
    private static Storages bytes(byte... b) {
        return new Storages() {
            @Override
            public ByteSource bytes(StorageRef ref) {
                return ByteSource.of(ByteBuffer.wrap(b));
            }

            @Override
            public ByteOrder order() {
                return ByteOrder.LITTLE_ENDIAN;
            }
        };
    }

    private static Object loadWith(Storages storages, String ops) {
        byte[] b = ("\u0080\u0002" + ops + ".").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        TorchPolicy p = new TorchPolicy(storages, PickleLimits.DEFAULT, 5);
        return Unpickler.load("t.pt", ByteSource.of(ByteBuffer.wrap(b)), 0, p, PickleLimits.DEFAULT).value();
    }

    /** torch 2's _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype, metadata). */
    private static String v3(String storage, int numel, String dtype, String sizes) {
        return "ctorch._utils\n_rebuild_tensor_v3\n(" + pid(storage, "0", numel, "") + "K\u0000" + sizes + "K\u0001\u0085"
                + "\u0089}ctorch\n" + dtype + "\n}tR";
    }

    @Test
    void rebuildV3ReadsAnUntypedStorageAsItsDtype() {
        // 1.0f and -2.0f, little-endian
        Storages two = bytes((byte) 0, (byte) 0, (byte) 0x80, (byte) 0x3f, (byte) 0, (byte) 0, (byte) 0, (byte) 0xc0);
        dev.focal.io.pickle.TensorLeaf leaf = (dev.focal.io.pickle.TensorLeaf) loadWith(two,
                v3("UntypedStorage", 8, "float32", "K\u0002\u0085"));
        dev.focal.tensor.Tensor t = leaf.tensor("t.pt");
        assertEquals(DType.FLOAT32, t.dtype());
        assertEquals(List.of(1.0, -2.0), List.of(t.getDouble(0), t.getDouble(1)));
        dev.focal.io.pickle.TensorLeaf three = (dev.focal.io.pickle.TensorLeaf) loadWith(two,
                v3("UntypedStorage", 8, "float32", "K\u0003\u0085"));
        assertEquals("t.pt:x: view (offset 0, sizes [3], strides [1]) reaches element 2 of storage '0', which holds 2",
                assertThrows(FocalException.class, () -> three.tensor("t.pt:x")).getMessage());
        leaf = (dev.focal.io.pickle.TensorLeaf) loadWith(two, v3("FloatStorage", 2, "float32", "K\u0002\u0085"));
        assertEquals(-2.0, leaf.tensor("t.pt").getDouble(1), "a typed storage of its own dtype");
        dev.focal.io.pickle.TensorLeaf mismatched = (dev.focal.io.pickle.TensorLeaf) loadWith(two,
                v3("IntStorage", 2, "float32", "K\u0002\u0085"));
        FocalException e = assertThrows(FocalException.class, () -> mismatched.tensor("t.pt:x"));
        assertEquals("t.pt:x: unsupported dtype torch.float32; focal reads bool, uint8, int8..int64, float16,"
                + " bfloat16, float32 and float64", e.getMessage());
        dev.focal.io.pickle.TensorLeaf complex = (dev.focal.io.pickle.TensorLeaf) loadWith(two,
                v3("UntypedStorage", 8, "complex64", "K\u0001\u0085"));
        e = assertThrows(FocalException.class, () -> complex.tensor("t.pt:c"));
        assertEquals("t.pt:c: unsupported dtype complex64 (torch.complex64); focal reads bool, uint8, int8..int64,"
                + " float16, bfloat16, float32 and float64", e.getMessage());
    }

    @Test
    void aTensorsArgumentsAreChecked() {
        Storages two = bytes(new byte[8]);
        String v2 = "ctorch._utils\n_rebuild_tensor_v2\n(";
        String rest = "\u0089}tR";
        String f2 = pid("FloatStorage", "0", 2, "");
        assertEquals("t.pt: a tensor's storage or offset is None, int 0",
                assertThrows(FocalException.class, () -> loadWith(two, v2 + "NK\u0000K\u0002\u0085K\u0001\u0085"
                        + rest)).getMessage());
        assertEquals("t.pt: a tensor's storage or offset is a storage, 'a'".replace("a storage", "StorageRef[key=0,"
                + " dtype=FLOAT32, typeName=torch.FloatStorage, numel=2]"),
                assertThrows(FocalException.class, () -> loadWith(two, v2 + f2 + s("a") + "K\u0002\u0085"
                        + "K\u0001\u0085" + rest)).getMessage());
        assertEquals("t.pt: a tensor's sizes are None", assertThrows(FocalException.class,
                () -> loadWith(two, v2 + f2 + "K\u0000NK\u0001\u0085" + rest)).getMessage());
        assertEquals("t.pt: a tensor's strides hold 'a'", assertThrows(FocalException.class,
                () -> loadWith(two, v2 + f2 + "K\u0000K\u0002\u0085" + s("a") + "\u0085" + rest)).getMessage());
        assertEquals("t.pt: a tensor has 1 sizes and 2 strides", assertThrows(FocalException.class,
                () -> loadWith(two, v2 + f2 + "K\u0000K\u0002\u0085K\u0001K\u0001\u0086" + rest)).getMessage());
        // Six arguments (no metadata, as PyTorch before 1.11 wrote) are read as well
        Object six = loadWith(two, v2 + f2 + "K\u0000K\u0002\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n"
                + ")RtR");
        assertEquals(2, ((dev.focal.io.pickle.TensorLeaf) six).tensor("t").count());
        assertEquals("t.pt: refuses to call rebuild_v2 with 3 arguments as given" + PLAIN,
                assertThrows(FocalException.class, () -> loadWith(two, v2 + f2 + "K\u0000K\u0002\u0085tR"))
                        .getMessage());
    }

    @Test
    void storagesHaveACap() throws IOException {
        // views.pt: 18 tensors of 10 storages (base's, grid's and one for each of the other 8)
        assertEquals(18, read("views.pt", limits(18, 1 << 20)).keys().size());
        FocalException e = assertThrows(FocalException.class, () -> read("views.pt", limits(9, 1 << 20)));
        assertEquals("views.pt: names over 9 storages, more than focal reads", e.getMessage());
        e = assertThrows(FocalException.class, () -> read("views.pt", limits(17, 1 << 20)));
        assertEquals("views.pt: holds over 17 tensors, more than focal reads", e.getMessage());
        e = assertThrows(FocalException.class, () -> read("views.pt", limits(10, 1 << 20)));
        assertEquals("views.pt: holds over 10 tensors, more than focal reads", e.getMessage(), "10 storages pass");
    }

    private static final Storages NONE = new Storages() {
        @Override
        public ByteSource bytes(StorageRef ref) {
            throw new AssertionError();
        }

        @Override
        public ByteOrder order() {
            return ByteOrder.LITTLE_ENDIAN;
        }
    };

    private static String refusal(PolicyCall call) {
        PicklePolicy.Refusal r = assertThrows(PicklePolicy.Refusal.class, call::run);
        return r.getMessage();
    }

    private interface PolicyCall {
        void run() throws PicklePolicy.Refusal;
    }

    /** A SHORT_BINUNICODE string. */
    private static String s(String text) {
        return "\u008c" + (char) text.length() + text;
    }

    /** torch.save's persistent id of a storage: ('storage', torch.TYPE, key, 'cpu', numel[, view]). */
    private static String pid(String type, String key, int numel, String view) {
        return "(" + s("storage") + "ctorch\n" + type + "\n" + s(key) + s("cpu") + "K" + (char) numel + view + "tQ";
    }

    /** The value of the pickle PROTO 2, {@code ops}, STOP under the policy. */
    private static Object load(TorchPolicy p, String ops) {
        byte[] b = ("\u0080\u0002" + ops + ".").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return Unpickler.load("t.pt", ByteSource.of(ByteBuffer.wrap(b)), 0, p, PickleLimits.DEFAULT).value();
    }

    private static String refused(TorchPolicy p, String ops) {
        FocalException e = assertThrows(FocalException.class, () -> load(p, ops));
        assertEquals(FocalException.INPUT, e.exitCode());
        return e.getMessage();
    }

    @Test
    void theAllowlistRefusesByName() {
        TorchPolicy p = new TorchPolicy(NONE, PickleLimits.DEFAULT, 5);
        assertEquals("refuses to load torch.load" + PLAIN, refusal(() -> p.global("torch", "load")));
        assertEquals("refuses to load torch._utils._rebuild_qtensor" + PLAIN,
                refusal(() -> p.global("torch._utils", "_rebuild_qtensor")));
        assertEquals("refuses to load os.FloatStorage" + PLAIN, refusal(() -> p.global("os", "FloatStorage")));
        assertEquals("refuses to load os.float32" + PLAIN, refusal(() -> p.global("os", "float32")));
        assertEquals(new StorageRef("k", null, "complex64 (torch.storage.ComplexFloatStorage)", 2),
                load(p, "(" + s("storage") + "ctorch.storage\nComplexFloatStorage\n" + s("k") + s("cpu")
                        + "K\u0002tQ"));
        assertEquals(new StorageRef("f", DType.FLOAT32, "torch.FloatStorage", 3), load(p, pid("FloatStorage", "f", 3,
                "")));
        StorageRef untyped = (StorageRef) load(p, pid("UntypedStorage", "u", 8, ""));
        assertEquals(DType.UINT8, untyped.dtype());
        assertSame(untyped, load(p, pid("UntypedStorage", "u", 8, "")), "each key once");
        assertEquals("t.pt: storage 'u' is declared twice, differently",
                refused(p, pid("UntypedStorage", "u", 9, "")));
        assertEquals(3, p.storages().size());
    }

    @Test
    void persistentIdsOtherThanTorchSavesAreRefused() {
        TorchPolicy zip = new TorchPolicy(NONE, PickleLimits.DEFAULT, 5);
        TorchPolicy legacy = new TorchPolicy(NONE, PickleLimits.DEFAULT, 6);
        String zipForm = " (torch.save writes ('storage', type, key, location, numel))";
        assertEquals("t.pt: refuses persistent id 'x'" + zipForm, refused(zip, s("x") + "Q"));
        assertEquals("t.pt: refuses persistent id a tuple of 6" + zipForm, refused(zip, pid("FloatStorage", "f", 3,
                "N")));
        assertEquals("t.pt: refuses persistent id a tuple of 5 (torch.save writes ('storage', type, key, location,"
                + " numel, view))", refused(legacy, pid("FloatStorage", "f", 3, "")));
        assertEquals("t.pt: refuses persistent id a tuple of 5" + zipForm,
                refused(zip, "(" + s("module") + "ctorch\nFloatStorage\n" + s("k") + s("cpu") + "K\u0002tQ"));
        assertEquals("t.pt: a storage's persistent id holds 'FloatStorage', 'k', int 2",
                refused(zip, "(" + s("storage") + s("FloatStorage") + s("k") + s("cpu") + "K\u0002tQ"));
        assertEquals("t.pt: a storage's persistent id holds " + STORAGE + ", int 7, int 2",
                refused(zip, "(" + s("storage") + "ctorch\nFloatStorage\nK\u0007" + s("cpu") + "K\u0002tQ"));
        assertEquals("t.pt: a storage's persistent id holds " + STORAGE + ", 'k', 'n'",
                refused(zip, "(" + s("storage") + "ctorch\nFloatStorage\n" + s("k") + s("cpu") + s("n") + "tQ"));
        assertEquals("t.pt: a storage's persistent id holds " + STORAGE + ", 'k', int -1",
                refused(zip, "(" + s("storage") + "ctorch\nFloatStorage\n" + s("k") + s("cpu")
                        + "J\u00ff\u00ff\u00ff\u00fftQ"));
        assertEquals(new StorageRef("k", DType.FLOAT32, "torch.FloatStorage", 0), load(zip, "(" + s("storage")
                + "ctorch\nFloatStorage\n" + s("k") + s("cpu") + "K\u0000tQ"), "an empty storage");
        assertEquals("t.pt: a view of a storage (written by PyTorch before 1.0) is not supported",
                refused(legacy, pid("FloatStorage", "f", 3, "K\u0000")));
    }

    /** How messages show a storage class (a record of the policy's). */
    private static final String STORAGE = "StorageType[name=torch.FloatStorage, dtype=FLOAT32]";

    @Test
    void callsOutsideWhatTorchSaveWritesAreRefused() throws PicklePolicy.Refusal {
        TorchPolicy p = new TorchPolicy(NONE, PickleLimits.DEFAULT, 5);
        Object od = p.global("collections", "OrderedDict");
        assertEquals("refuses to call ordered_dict with 1 arguments as given" + PLAIN,
                refusal(() -> p.call(od, List.of(List.of()))));
        Object v2 = p.global("torch._utils", "_rebuild_tensor_v2");
        assertEquals("refuses to call rebuild_v2 with 5 arguments as given" + PLAIN,
                refusal(() -> p.call(v2, Arrays.asList(1, 2, 3, 4, 5))));
        assertEquals("refuses to call 'x'", refusal(() -> p.call("x", List.of())));
        Object size = p.global("torch", "Size");
        assertEquals("refuses to call size with 2 arguments as given" + PLAIN,
                refusal(() -> p.call(size, List.of(1L, 2L))));
        assertEquals("refuses to call size with 1 arguments as given" + PLAIN, refusal(() -> p.call(size, List.of(1L))));
        assertEquals("device", p.call(p.global("torch", "device"), List.of("cuda:0")));
        Object param = p.global("torch._utils", "_rebuild_parameter");
        assertEquals("refuses to call parameter with 0 arguments as given" + PLAIN,
                refusal(() -> p.call(param, List.of())));
        assertEquals("refuses to call parameter with 1 arguments as given" + PLAIN,
                refusal(() -> p.call(param, List.of("x"))));
        Object withState = p.global("torch._utils", "_rebuild_parameter_with_state");
        assertEquals("refuses to call parameter_state with 1 arguments as given" + PLAIN,
                refusal(() -> p.call(withState, List.of(1L))));
        Object fromType = p.global("torch._tensor", "_rebuild_from_type_v2");
        Object tensorType = p.global("torch", "Tensor");
        assertEquals(tensorType, p.global("torch.nn.parameter", "Parameter"));
        assertEquals("refuses to call from_type with 3 arguments as given" + PLAIN,
                refusal(() -> p.call(fromType, List.of(v2, tensorType, List.of()))));
        assertEquals("refuses to call from_type with 4 arguments as given" + PLAIN,
                refusal(() -> p.call(fromType, List.of(v2, od, List.of(), od))));
        assertEquals("refuses to call from_type with 4 arguments as given" + PLAIN,
                refusal(() -> p.call(fromType, List.of(od, tensorType, List.of(), od))));
        assertEquals("refuses to call from_type with 4 arguments as given" + PLAIN,
                refusal(() -> p.call(fromType, List.of(v2, tensorType, "x", od))));
        assertEquals("refuses to call tensor_type with 0 arguments as given" + PLAIN,
                refusal(() -> p.call(tensorType, List.of())));
        Object v3 = p.global("torch._utils", "_rebuild_tensor_v3");
        assertEquals("refuses to call rebuild_v3 with 8 arguments as given" + PLAIN,
                refusal(() -> p.call(v3, Arrays.asList(1, 2, 3, 4, 5, 6, "float32", 8))));
        p.build(new java.util.LinkedHashMap<>(), "metadata");
        assertEquals("refuses to set the state of 'x'", refusal(() -> p.build("x", null)));
    }
}
