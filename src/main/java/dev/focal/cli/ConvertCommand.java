package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code focal convert}: any readable tensor to .npy or .json, values and dtype exact. */
@Command(name = "convert",
        description = {
            "Converts a tensor to .npy or .json, chosen by OUT's extension.",
            "Values are exact and the dtype is kept; .npy output is C-order little-endian, as numpy.save",
            "writes it. JSON output is nested arrays, or {\"dtype\", \"shape\", \"data\"} when plain",
            "arrays would read back as another dtype (float32, int8, ...). OUT is replaced atomically."},
        mixinStandardHelpOptions = true)
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "Input tensor: FILE or FILE:KEY.")
    String in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output file: NAME.npy or NAME.json.")
    Path out;

    @Override
    public Integer call() {
        TensorRef ref = TensorRef.parse(in);
        TensorIO.checkOutput(out);
        if (Files.exists(out) && Files.exists(ref.path()) && OutputPaths.sameFile(ref.path(), out)) {
            throw FocalException.usage(out + ": is the input file; refusing to overwrite an input");
        }
        try (TensorFile f = TensorIO.open(ref.file())) {
            TensorIO.write(f.get(ref.key()), out);
        }
        return 0;
    }
}
