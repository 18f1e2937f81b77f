package dev.focal.cli;

import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.parameter;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal convert}: any readable tensor to .npy or .json, values and dtype exact. */
final class ConvertCommand implements Callable<Integer> {
    final CommandSpec spec = CommandModel.command(this, "convert",
            "Converts to .npy, .json or .safetensors, as OUT's extension says.",
            "Values are exact and the dtype is kept. An .npy file is written C-order and",
            "little-endian, as numpy.save writes it; JSON is nested arrays, or an object of",
            "\"dtype\", \"shape\" and \"data\" when plain arrays would read back as another dtype",
            "(float32, int8, ...). numpy has no bfloat16: .npy gets it as float32, every",
            "value exact, and a note on stderr says so. .safetensors gets a whole bundle (IN",
            "without a key) or one tensor under its key or IN's name, byte for byte as",
            "safetensors' save_file writes them. OUT is replaced atomically.");

    private final Arg<String> in;
    private final Arg<Path> out;

    ConvertCommand() {
        in = parameter(spec, "0", "1", "IN", String.class, "Input tensor: FILE or FILE:KEY; - is standard input.");
        out = parameter(spec, "1", "1", "OUT", Path.class, "Output file: NAME.npy, NAME.json or NAME.safetensors.");
        helpOptions(spec);
        examples(spec,
                "  # A JSON bundle's member to .npy, its float64 dtype kept",
                "  focal convert samples/tiny.json:logits /tmp/logits.npy",
                "  # An .npy file of int32 labels to JSON",
                "  focal convert samples/anchor_head/box_cls_labels.npy /tmp/labels.json");
    }


    @Override
    public Integer call() {
        TensorRef ref = TensorRef.parse(in.get());
        TensorIO.checkOutput(out.get());
        if (Files.exists(out.get()) && Files.exists(ref.path()) && OutputPaths.sameFile(ref.path(), out.get())) {
            throw FocalException.usage(out.get() + ": is the input file; refusing to overwrite an input");
        }
        try (TensorFile f = TensorIO.open(ref.file())) {
            if (TensorIO.writesBundles(out.get())) {
                TensorIO.write(named(ref, f), ref.key() == null ? f.metadata() : Map.of(), out.get());
                return 0;
            }
            Tensor t = f.get(ref.key());
            TensorIO.write(t, out.get());
            DType written = TensorIO.writtenAs(t.dtype(), out.get());
            if (written != t.dtype()) {
                spec.commandLine().getErr().println("focal: note: " + ref + " is " + t.dtype().numpyName()
                        + ", which " + out.get().getFileName() + "'s format lacks: written as " + written.numpyName()
                        + ", every value exact");
            }
        }
        return 0;
    }

    /**
     * What a format of named tensors gets: every member of a bundle named without a key, else the
     * one tensor under its key, or under the input's name without its extension (stdin: OUT's).
     */
    private Map<String, Tensor> named(TensorRef ref, TensorFile f) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        if (ref.key() == null && !f.keys().isEmpty()) {
            for (String key : f.keys()) {
                tensors.put(key, f.get(key));
            }
        } else {
            String name = ref.key() != null ? ref.key()
                    : TensorIO.stem(ref.file().equals("-") ? out.get().toString() : ref.file());
            tensors.put(name, f.get(ref.key()));
        }
        return tensors;
    }
}
