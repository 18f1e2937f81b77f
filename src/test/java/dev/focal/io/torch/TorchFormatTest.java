package dev.focal.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file torch.save, pickle.dump and np.save wrote (tools/fixtures/torch_fixtures.py): its
 * members listed by path in torch's order, each with the dtype, shape and values torch gave, and
 * converted to the bytes numpy writes for them (docs/formats.md#pytorch).
 */
class TorchFormatTest {
    static final Path DIR = Path.of("src/test/resources/io/torch");

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> readsEveryMemberAsTorchAndNumpyWroteIt() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> file : manifest.properties()) {
            tests.add(DynamicTest.dynamicTest(file.getKey(), () -> check(file.getKey(), file.getValue())));
        }
        return tests.stream();
    }

    private void check(String file, JsonNode members) throws IOException {
        try (TensorFile f = TensorIO.open(DIR.resolve(file).toString())) {
            List<String> paths = new ArrayList<>();
            members.forEach(m -> paths.add(m.get("path").asText()));
            assertEquals(paths.equals(List.of("")) ? List.of() : paths, f.keys(), "the members, in order");
            for (JsonNode m : members) {
                String path = m.get("path").asText();
                Tensor t = f.get(path.isEmpty() ? null : path);
                assertEquals(m.get("dtype").asText(), t.dtype().numpyName(), path);
                long[] shape = new long[m.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = m.get("shape").get(i).asLong();
                }
                assertArrayEquals(shape, t.shape().dims(), path);
                Path expected = DIR.resolve("expected").resolve(m.get("expected").asText());
                Tensor want = TensorIO.read(new TensorRef(expected.toString(), null));
                for (long i = 0; i < t.count(); i++) {
                    if (t.dtype() == DType.BFLOAT16) {
                        assertEquals(Double.doubleToRawLongBits(want.getDouble(i)), Double.doubleToRawLongBits(t.getDouble(i)),
                                path + "[" + i + "]");
                    } else {
                        assertEquals(want.rawBits(i), t.rawBits(i), path + "[" + i + "]");
                    }
                }
                Path out = tmp.resolve("out.npy");
                TensorIO.write(t, out);
                assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out),
                        path + ": convert writes what np.save writes");
            }
        }
    }
}
