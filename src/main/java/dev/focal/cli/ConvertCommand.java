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
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal convert}: any readable tensor to .npy or .json, values and dtype exact. */
final class ConvertCommand implements Callable<Integer> {
    final CommandSpec spec = CommandModel.command(this, "convert",
            "Converts a tensor to .npy or .json, chosen by OUT's extension.",
            "Values are exact and the dtype is kept. An .npy file is written C-order and",
            "little-endian, as numpy.save writes it; JSON is nested arrays, or an object of",
            "\"dtype\", \"shape\" and \"data\" when plain arrays would read back as another dtype",
            "(float32, int8, ...). numpy has no bfloat16: .npy gets it as float32, every",
            "value exact, and a note on stderr says so. OUT is replaced atomically.");

    private final Arg<String> in;
    private final Arg<Path> out;

    ConvertCommand() {
        in = parameter(spec, "0", "1", "IN", String.class, "Input tensor: FILE or FILE:KEY.");
        out = parameter(spec, "1", "1", "OUT", Path.class, "Output file: NAME.npy or NAME.json.");
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
}
