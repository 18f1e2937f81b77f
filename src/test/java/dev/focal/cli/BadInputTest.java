package dev.focal.cli;

import static dev.focal.cli.NpyFiles.NPY;
import static dev.focal.cli.NpyFiles.header;
import static dev.focal.cli.RunOutcome.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee: malformed input never crashes focal (docs/guarantees.md). Every file of the corpus
 * of hostile files, src/test/resources/bad, is refused with exit 3 and its one expected line on
 * stderr.
 */
class BadInputTest {
    static final Path BAD = Path.of("src/test/resources/bad");

    /** Argument of {@code focal inspect} (under bad/) and what stderr says after "focal: ". */
    final Map<String, String> expected = expectations();

    private Map<String, String> expectations() {
        Map<String, String> m = new LinkedHashMap<>();
        String numeric = "; focal reads bool, int8..int64, uint8..uint64 and float16/32/64";
        // .npy: truncated, wrong magic, unknown version, headers that are no dict or have
        // missing or extra keys, negative and overflowing shapes, unknown and object dtypes
        m.put("npy/empty.npy", "{}: empty file");
        m.put("npy/magic_only.npy", "{}: truncated: file ends inside the .npy header");
        m.put("npy/v2_cut_prefix.npy", "{}: truncated: file ends inside the .npy header");
        m.put("npy/truncated_header.npy", "{}: truncated: header declares 118 bytes, file has 30 after the prefix");
        m.put("npy/truncated_data.npy", "{}: truncated: header declares 48 data bytes, file has 43");
        m.put("npy/huge_shape.npy", "{}: truncated: header declares 80000000000 data bytes, file has 64");
        m.put("npy/wrong_magic.npy", "{}: not a .npy file (no \\x93NUMPY magic)");
        m.put("npy/version_4.npy", "{}: unsupported .npy format version 4.0 (numpy writes 1.0, 2.0 and 3.0)");
        m.put("npy/header_too_long.npy", "{}: header is 10106 bytes, over numpy's limit of 10000");
        m.put("npy/header_not_dict.npy", "{}: malformed .npy header: not a dict");
        m.put("npy/bad_syntax.npy", "{}: malformed .npy header: unexpected Flase at character 34");
        m.put("npy/missing_shape.npy", "{}: malformed .npy header: missing key 'shape'");
        m.put("npy/extra_key.npy", "{}: malformed .npy header: unexpected key 'x'");
        m.put("npy/newline_key.npy", "{}: malformed .npy header: unexpected key 'a\\nb'");
        m.put("npy/control_char_in_header.npy", "{}: malformed .npy header: unexpected '\\x8c' at character 49");
        m.put("npy/fortran_not_bool.npy", "{}: malformed .npy header: fortran_order is not True or False");
        m.put("npy/shape_not_integer.npy", "{}: malformed .npy header: shape holds a non-integer");
        m.put("npy/shape_list.npy", "{}: malformed .npy header: shape [2, 3] is not a tuple");
        m.put("npy/shape_in_parentheses.npy", "{}: malformed .npy header: shape 6 is not a tuple");
        m.put("npy/negative_shape.npy", "{}: malformed .npy header: negative dimension -1 in shape");
        m.put("npy/overflow_shape.npy",
                "{}: malformed .npy header: shape (4611686018427387904, 4) has more than 2^63 elements");
        m.put("npy/bytes_overflow.npy", "{}: shape (2305843009213693952,) of float64 is over 2^63 bytes");
        m.put("npy/unknown_dtype.npy", "{}: unsupported dtype 'x' ('<x4')" + numeric);
        m.put("npy/escape_in_descr.npy", "{}: unsupported dtype '\\x1b' ('<\\x1b[2J')" + numeric);
        // np.save of an object array goes through the unpickler: this one holds no numeric array
        m.put("npy/object.npy", "{}: holds no tensors (a numpy object array of 3 items)");
        m.put("npy/complex64.npy", "{}: unsupported dtype complex64 ('<c8')" + numeric);
        m.put("npy/unicode.npy", "{}: unsupported dtype unicode string ('<U2')" + numeric);
        m.put("npy/datetime.npy", "{}: unsupported dtype datetime64 ('<M8[D]')" + numeric);
        m.put("npy/timedelta.npy", "{}: unsupported dtype timedelta64 ('<m8[s]')" + numeric);
        m.put("npy/bytes.npy", "{}: unsupported dtype bytes string ('|S3')" + numeric);
        m.put("npy/void.npy", "{}: unsupported dtype void/structured ('|V8')" + numeric);
        m.put("npy/descr_f3.npy", "{}: unsupported dtype float24 ('<f3')" + numeric);
        m.put("npy/descr_i3.npy", "{}: unsupported dtype int24 ('<i3')" + numeric);
        m.put("npy/descr_u3.npy", "{}: unsupported dtype uint24 ('<u3')" + numeric);
        m.put("npy/descr_c3.npy", "{}: unsupported dtype complex24 ('<c3')" + numeric);
        m.put("npy/descr_f0.npy", "{}: unsupported dtype float ('<f0')" + numeric);
        m.put("npy/descr_i0.npy", "{}: unsupported dtype int ('<i0')" + numeric);
        m.put("npy/descr_u0.npy", "{}: unsupported dtype uint ('<u0')" + numeric);
        m.put("npy/descr_c0.npy", "{}: unsupported dtype complex ('<c0')" + numeric);
        m.put("npy/descr_f.npy", "{}: unsupported dtype float ('<f')" + numeric);
        m.put("npy/descr_c.npy", "{}: unsupported dtype complex ('<c')" + numeric);
        m.put("npy/descr_O8.npy", "{}: unsupported dtype object (pickled Python objects) ('<O8')" + numeric);
        m.put("npy/descr_a3.npy", "{}: unsupported dtype bytes string ('|a3')" + numeric);
        m.put("npy/descr_bool1.npy", "{}: unsupported dtype '?' ('|?1')" + numeric);
        m.put("npy/empty_header.npy", "{}: malformed .npy header: unexpected end of header");
        m.put("npy/v2_empty_header.npy", "{}: malformed .npy header: unexpected end of header");
        m.put("npy/short_wrong_magic.npy", "{}: not a .npy file (no \\x93NUMPY magic)");
        m.put("npy/header_integer.npy", "{}: malformed .npy header: not a dict");
        m.put("npy/header_true.npy", "{}: malformed .npy header: not a dict");
        m.put("npy/header_open_brace.npy", "{}: malformed .npy header: unexpected end of header");
        m.put("npy/unterminated_string.npy", "{}: malformed .npy header: unterminated string");
        m.put("npy/escaped_quote_key.npy", "{}: malformed .npy header: unexpected key 'a'b'");
        m.put("npy/nested_32.npy", "{}: malformed .npy header: unexpected key 'x'");
        m.put("npy/nested_33.npy", "{}: malformed .npy header: literal nested too deeply");
        m.put("npy/duplicate_key.npy", "{}: malformed .npy header: key descr appears twice");
        m.put("npy/no_colon.npy", "{}: malformed .npy header: expected ':' at character 9");
        m.put("npy/text_after_dict.npy", "{}: malformed .npy header: unexpected text after the literal at character 56");
        m.put("npy/huge_integer.npy", "{}: malformed .npy header: integer 99999999999999999999 is not a 64-bit number");
        m.put("npy/unclosed_tuple.npy", "{}: malformed .npy header: expected ',' or ')' at character 53");
        m.put("npy/unclosed_dict.npy", "{}: malformed .npy header: expected ',' or '}' at character 16");
        m.put("npy/structured.npy",
                "{}: unsupported dtype: structured array (descr [('x', '<f4'), ('y', '<i4')]); focal reads numeric arrays only");
        // JSON: ragged and broken
        m.put("json/ragged.json", "{}: at [1]: 1 element, expected 2");
        m.put("json/string_element.json", "{}: at [1]: \"2\" is not a number");
        m.put("json/too_deep.json", "{}: nested deeper than 64 levels");
        m.put("json/unclosed.json", "{}: invalid JSON at line 2, column 1: unexpected end-of-input");
        m.put("json/double_comma.json", "{}: invalid JSON at line 1, column 4: unexpected character (','");
        m.put("json/python_nan.json", "{}: invalid JSON at line 1, column 7: unrecognized token 'nan'");
        m.put("json/bundle_newline_key.json", "{}:a\\nb: a string is not an array");
        m.put("json/typed_unknown_dtype.json", "{}: unknown dtype 'complex64' (focal reads bool, int8..int64,"
                + " uint8..uint64, float16, float32 and float64)");
        m.put("json/huge_exponent_uint64.json",
                "{}: at [0]: 1841e30846744073709553230 is out of range for uint64 (0..18446744073709551615)");
        m.put("json/tiny_exponent_int8.json", "{}: at [1]: 1e-30846744073709553230 is not an integer (dtype int8)");
        m.put("json/typed_overflowing_shape.json",
                "{}: \"shape\" [4294967296, 4294967296, 4294967296] has more than 2^63 elements");
        // .npz: truncated, a zip bomb, a bad CRC, a hostile member name, a key it does not hold
        m.put("npz/truncated.npz", "{}: not a zip archive, or truncated: no end-of-central-directory record");
        m.put("npz/ratio_bomb.npz", "{}: member zeros.npy: declares 4026531840 bytes from 106 compressed,"
                + " more than deflate can produce (1032:1): corrupt, or a zip bomb");
        m.put("npz/bad_crc.npz",
                "{}: member zeros.npy: CRC-32 mismatch (data 5f125742, directory 12345678): corrupt archive");
        m.put("npz/newline_member.npz", "{}:a\\nb: not a .npy file (no \\x93NUMPY magic)");
        m.put("npz/two_members.npz:missing", "{}: no array 'missing' (has: logits, targets)");
        // .safetensors (tools/fixtures/safetensors_fixtures.py): the reference's refusals, and dtypes focal
        // does not read (docs/commands.md#safetensors)
        String readable = "; focal reads BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64";
        m.put("safetensors/too_short.safetensors", "{}: truncated: 3 bytes, not even safetensors' 8-byte header length");
        m.put("safetensors/header_past_end.safetensors", "{}: truncated: header length 4096, file has 64 bytes after it");
        m.put("safetensors/header_over_cap.safetensors",
                "{}: header length 100000001 is over safetensors' limit of 100000000 bytes");
        m.put("safetensors/header_length_huge.safetensors",
                "{}: header length 18446744073709551615 is over safetensors' limit of 100000000 bytes");
        m.put("safetensors/not_utf8.safetensors", "{}: header is not valid UTF-8 (byte 0xff at header offset 3)");
        m.put("safetensors/not_json.safetensors",
                "{}: invalid header JSON at line 1, column 25: unexpected end-of-input within/between Object entries");
        m.put("safetensors/not_object.safetensors", "{}: header is not a JSON object");
        m.put("safetensors/trailing.safetensors", "{}: invalid header JSON at line 1, column 56: trailing data after the object");
        m.put("safetensors/too_deep.safetensors",
                "{}: invalid header JSON: document nesting depth (129) exceeds the maximum allowed (128)");
        m.put("safetensors/duplicate_key.safetensors", "{}: tensor 'a' is declared twice");
        m.put("safetensors/newline_key.safetensors", "{}: tensor 'a\\nb': unknown dtype 'X9'");
        m.put("safetensors/unknown_dtype.safetensors", "{}: tensor 'a': unknown dtype 'Q7'");
        m.put("safetensors/float8.safetensors", "{}:a: unsupported dtype F8_E4M3" + readable);
        m.put("safetensors/complex.safetensors", "{}:a: unsupported dtype C64" + readable);
        m.put("safetensors/missing_shape.safetensors", "{}: tensor 'a': no \"shape\"");
        m.put("safetensors/negative_dim.safetensors",
                "{}: tensor 'a': \"shape\" holds -1, not an integer from 0 to 2^63 - 1");
        m.put("safetensors/float_dim.safetensors",
                "{}: tensor 'a': \"shape\" holds 1.0, not an integer from 0 to 2^63 - 1");
        m.put("safetensors/offsets_three.safetensors",
                "{}: tensor 'a': \"data_offsets\" holds 3 numbers, not [begin, end]");
        m.put("safetensors/metadata_not_string.safetensors", "{}: __metadata__ 'n': 1 is not a string");
        m.put("safetensors/no_tensors.safetensors", "{}: holds no tensors");
        m.put("safetensors/overlap.safetensors", "{}: tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
        m.put("safetensors/gap.safetensors", "{}: tensor 'b': data_offsets [12, 20] leave a gap of 4 bytes after tensor 'a'");
        m.put("safetensors/not_from_zero.safetensors",
                "{}: tensor 'a': data_offsets [4, 12] leave a gap of 4 bytes at the start of the data");
        m.put("safetensors/end_before_begin.safetensors", "{}: tensor 'a': data_offsets [8, 0] end before they begin");
        m.put("safetensors/size_mismatch.safetensors",
                "{}: tensor 'a': data_offsets [0, 20] hold 20 bytes, shape [2, 3] of F32 needs 24");
        m.put("safetensors/short_data.safetensors", "{}: truncated: the tensors need 8 data bytes, file has 5");
        m.put("safetensors/extra_data.safetensors",
                "{}: 4 bytes after the last tensor's data (the tensors must cover the data to the end of the file)");
        m.put("safetensors/shape_overflow.safetensors",
                "{}: tensor 'a': shape [4294967296, 4294967296] has more than 2^63 elements");
        m.put("safetensors/bytes_overflow.safetensors",
                "{}: tensor 'a': shape [2305843009213693952] of F64 is over 2^63 bytes");
        // pickles: code execution attempts, hostile lengths and nesting, what is not protocol 2-5
        String plain = " (only tensors and plain containers are read)";
        m.put("pickle/os_system.pkl", "{}: refuses to load posix.system" + plain);
        m.put("pickle/builtins_eval.pkl", "{}: refuses to load builtins.eval" + plain);
        m.put("torch/exec.pt", "{}: refuses to load builtins.exec" + plain);
        m.put("torch/subprocess_legacy.pt", "{}: refuses to load subprocess.Popen" + plain);
        m.put("pickle/huge_length.pkl", "{}: truncated or corrupt pickle at byte 2: declares 4294967280 bytes, 4 are left");
        m.put("pickle/deep_marks.pkl", "{}: pickle nests deeper than 100 levels");
        m.put("pickle/deep_nesting.pkl", "{}: containers nest deeper than 100 levels");
        m.put("pickle/laughs.pkl", "{}: its containers list over 2000000 values (shared many times over?),"
                + " more than focal reads");
        m.put("pickle/protocol_0.pkl", "{}: refuses pickle opcode 'p' (protocol 0 text) at byte 2" + plain);
        m.put("pickle/truncated.pkl", "{}: corrupt pickle at byte 2: frame of 645 bytes runs past the end");
        // torch.save files: views outside their storage, short and missing storages, foreign
        // persistent ids, dtypes focal does not read, truncated archives, the pre-0.1.10 tar format
        m.put("torch/out_of_bounds.pt", "{}:x: view (offset 2, sizes [2, 2], strides [2, 1]) reaches element 5"
                + " of storage '0', which holds 4");
        m.put("torch/negative_stride.pt", "{}:x: negative stride -1 in strides [-1]");
        m.put("torch/short_storage.pt", "{}: storage '0' holds 16 bytes, its 100 elements of float32 need 400");
        m.put("torch/missing_record.pt", "{}: no storage record missing/data/0 (a truncated or corrupt archive)");
        m.put("torch/bad_pid.pt", "{}: refuses persistent id a tuple of 5 (torch.save writes ('storage', type,"
                + " key, location, numel))");
        m.put("torch/complex.pt", "{}:c: unsupported dtype complex64 (torch.ComplexFloatStorage); focal reads"
                + " bool, uint8, int8..int64, float16, bfloat16, float32 and float64");
        m.put("torch/truncated.pt", "{}: not a zip archive, or truncated: no end-of-central-directory record");
        // torch names legacy storages by address: the rest of this message changes with each run
        m.put("torch/truncated_legacy.pt", "{}: truncated: storage '");
        m.put("torch/old_tar.pt", "{}: a tar archive: the torch.save format of PyTorch before 0.1.10, which focal"
                + " does not read (load it with torch and save it again)");
        // a directory instead of a file
        m.put("directory.npy", "{}: is a directory, expected a tensor file");
        return m;
    }

    @TestFactory
    Stream<DynamicTest> inspectRefusesEveryFileWithExitThreeAndOneLine() {
        return expected.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String arg = BAD.resolve(e.getKey()).toString();
            String file = arg.replaceFirst(":missing$", "");
            Cli r = Cli.run("inspect", arg);
            assertEquals(3, r.code, r.toString());
            assertEquals("", r.out, r.toString());
            assertOneLine(r.err);
            String want = "focal: " + e.getValue().replace("{}", file);
            assertTrue(r.err.startsWith(want), "expected\n  " + want + "\ngot\n  " + r.err);
        }));
    }

    /** A new file in the corpus needs its expectation here: no untested hostile file. */
    @Test
    void everyFileOfTheCorpusIsExpected() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.walk(BAD)) {
            s.filter(Files::isRegularFile)
                    .map(p -> BAD.relativize(p).toString())
                    .filter(p -> !p.equals("make_bad.py") && !p.startsWith("directory.npy/"))
                    .forEach(files::add);
        }
        Set<String> listed = expected.keySet().stream().map(k -> k.replaceFirst(":.*$", ""))
                .filter(k -> !k.equals("directory.npy")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, listed);
    }

    /** Bad files do not hide good ones: inspect reports each on its line and still prints the rest. */
    @Test
    void goodFilesAreStillShownBesideBadOnes() {
        Cli r = Cli.run("inspect", BAD.resolve("npy/truncated_data.npy").toString(),
                NPY.resolve("vec_f4.npy").toString(), BAD.resolve("json/ragged.json").toString());
        assertEquals(3, r.code, r.toString());
        assertEquals(2, r.err.lines().count(), r.err);
        assertTrue(r.out.contains("vec_f4.npy"), r.out);
    }

    @Test
    @Tag("process")
    void aFileWithoutReadPermission(@TempDir Path tmp) throws IOException, InterruptedException {
        Path file = tmp.resolve("secret.npy");
        Files.copy(NPY.resolve("vec_f4.npy"), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        List<String> prefix = ChildJvm.permissionsEnforced(file);
        ChildJvm.Result r = ChildJvm.run(prefix, List.of(), "inspect", file.toString());
        assertEquals(3, r.code, r.toString());
        assertEquals("focal: " + file + ": cannot read: permission denied\n", r.err);
    }
}
