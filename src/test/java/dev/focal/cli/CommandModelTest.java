package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command model is declared in code: a run generates no annotation proxy classes, and loads
 * no java.time or java.sql class for picocli's unused converters (see {@link Main}).
 */
@Tag("process")
class CommandModelTest {
    @Test
    void noVerbGeneratesAnnotationProxies(@TempDir Path tmp) throws Exception {
        String[][] runs = {
            {"eval", "samples/tiny.json", "--class-names", "a,b,c", "--top", "2"},
            {"compare", "samples/anchor_head.npz:logits", "samples/anchor_head.npz:logits", "--rtol", "0", "--atol", "0"},
            {"inspect", "samples/tiny.json"},
            {"convert", "samples/tiny.json:logits", tmp.resolve("logits.npy").toString()},
        };
        for (String[] args : runs) {
            ChildJvm.Result r = ChildJvm.run(List.of(),
                    List.of("-Xlog:class+load=info"), args);
            assertEquals(0, r.code, r.toString());
            String proxies = r.out.lines().filter(l -> l.matches(".*\\$Proxy\\d.*")).collect(Collectors.joining("\n"));
            assertEquals("", proxies, String.join(" ", args));
            // Nor do picocli's converters for types no option has (Main sets picocli.converters.excludes).
            String unused = r.out.lines().filter(l -> l.contains(" java.time.") || l.contains(" java.sql."))
                    .collect(Collectors.joining("\n"));
            assertEquals("", unused, String.join(" ", args));
        }
    }
}
