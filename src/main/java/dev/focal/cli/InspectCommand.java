package dev.focal.cli;

import dev.focal.stats.Numbers;
import static dev.focal.cli.CommandModel.add;
import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.parameterBuilder;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.stats.TensorSummary;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code focal inspect}: dtype, shape and value statistics of every array in the given files. */
final class InspectCommand implements Callable<Integer> {
    final CommandSpec spec = CommandModel.command(this, "inspect",
            "Shows dtype, shape, order and value statistics of each array.",
            "A bundle (.npz, .safetensors, or a JSON object of arrays) lists every member as",
            "FILE:KEY; a .safetensors file's __metadata__ follows the table.",
            "min and max ignore NaN (numpy's nanmin/nanmax); mean is over the finite values.");

    private final Arg<List<String>> files;
    private final Arg<Boolean> json;

    InspectCommand() {
        files = add(spec, parameterBuilder("1..*", "FILE",
                "Tensor files (.npy, .npz, .safetensors, .json; - is standard input), or FILE:KEY"
                        + " for one member of a bundle.")
                .type(List.class).auxiliaryTypes(String.class).build());
        json = flag(spec, "--json", "Print a JSON list of objects instead of a table.");
        helpOptions(spec);
        examples(spec,
                "  # Every member of a bundle",
                "  focal inspect samples/anchor_head.npz",
                "  # One member of a JSON bundle and an .npy file, as JSON",
                "  focal inspect samples/tiny.json:logits samples/anchor_head/weights.npy --json");
    }


    /** One inspected array. */
    private static final class Entry {
        final String file;
        final Map<String, String> metadata;
        final String name;
        /** The name with a member key from the file escaped, so a hostile key cannot drive the terminal. */
        final String printableName;
        final Tensor tensor;
        final TensorSummary summary;

        Entry(String file, Map<String, String> metadata, String key, Tensor tensor) {
            this.file = file;
            this.metadata = metadata;
            this.name = key == null ? file : file + ":" + key;
            this.printableName = key == null ? file : file + ":" + IoErrors.shown(key);
            this.tensor = tensor;
            this.summary = TensorSummary.of(tensor);
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OpenFiles.stdinOnce(files.get().stream().map(TensorRef::parse).toList());
        List<Entry> entries = new ArrayList<>();
        int code = 0;
        for (String file : files.get()) {
            try {
                code = Math.max(code, collect(TensorRef.parse(file), entries, err));
            } catch (FocalException e) {
                // One bad file does not hide the others; the exit code still reports it.
                code = Math.max(code, Main.report(e, err, CommandModel.debug(spec)));
            }
        }
        if (json.get()) {
            printJson(entries, out);
        } else if (!entries.isEmpty()) {
            printTable(entries, out);
        }
        out.flush();
        return code;
    }

    /** Adds the file's arrays; a member that cannot be read is reported, and the others are still added. */
    private int collect(TensorRef ref, List<Entry> entries, PrintWriter err) {
        int code = 0;
        try (TensorFile f = TensorIO.open(ref.file())) {
            if (ref.key() == null && !f.keys().isEmpty()) {
                for (String key : f.keys()) {
                    try {
                        entries.add(new Entry(ref.file(), f.metadata(), key, f.get(key)));
                    } catch (FocalException e) {
                        code = Math.max(code, Main.report(e, err, CommandModel.debug(spec)));
                    }
                }
            } else {
                entries.add(new Entry(ref.file(), f.metadata(), ref.key(), f.get(ref.key())));
            }
        }
        return code;
    }

    private static void printTable(List<Entry> entries, PrintWriter out) {
        Table t = new Table("name", "dtype", "shape", "order", ">count", ">min", ">max", ">mean",
                ">nan", ">+inf", ">-inf");
        for (Entry e : entries) {
            TensorSummary s = e.summary;
            t.row(e.printableName, e.tensor.dtype().numpyName(), e.tensor.shape(), e.tensor.fortranOrder() ? "F" : "C",
                    s.count, extreme(e.tensor.dtype(), s.min, s.minInteger, s.count),
                    extreme(e.tensor.dtype(), s.max, s.maxInteger, s.count),
                    s.count == 0 ? "-" : Numbers.format(s.mean), s.nan, s.posInf, s.negInf);
        }
        t.print(out, "");
        Map<String, Map<String, String>> metadata = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (!e.metadata.isEmpty()) {
                metadata.putIfAbsent(e.file, e.metadata);
            }
        }
        metadata.forEach((file, m) -> {
            out.println();
            out.println("__metadata__ of " + file + ":");
            m.forEach((k, v) -> out.println("  " + IoErrors.shown(k) + ": " + IoErrors.shown(v)));
        });
    }

    private static String extreme(DType dtype, double asDouble, long asInteger, long count) {
        if (count == 0 || Double.isNaN(asDouble)) {
            return "-";
        }
        if (dtype == DType.BOOL) {
            return asInteger != 0 ? "True" : "False";
        }
        if (dtype.isInteger()) {
            return dtype == DType.UINT64 ? Long.toUnsignedString(asInteger) : Long.toString(asInteger);
        }
        return Numbers.format(asDouble);
    }

    private static void printJson(List<Entry> entries, PrintWriter out) throws IOException {
        try (JsonGenerator g = JsonOutput.generator(out)) {
            g.writeStartArray();
            for (Entry e : entries) {
                Tensor t = e.tensor;
                TensorSummary s = e.summary;
                g.writeStartObject();
                g.writeStringField("name", e.name);
                g.writeStringField("dtype", t.dtype().numpyName());
                g.writeFieldName("shape");
                long[] dims = t.shape().dims();
                g.writeArray(dims, 0, dims.length);
                g.writeBooleanField("fortran_order", t.fortranOrder());
                g.writeNumberField("count", s.count);
                g.writeFieldName("min");
                writeExtreme(g, t.dtype(), s.min, s.minInteger, s.count);
                g.writeFieldName("max");
                writeExtreme(g, t.dtype(), s.max, s.maxInteger, s.count);
                g.writeFieldName("mean");
                if (Double.isNaN(s.mean)) {
                    g.writeNull();
                } else {
                    g.writeNumber(s.mean);
                }
                g.writeNumberField("nan", s.nan);
                g.writeNumberField("posinf", s.posInf);
                g.writeNumberField("neginf", s.negInf);
                if (!e.metadata.isEmpty()) {
                    g.writeObjectFieldStart("metadata");
                    for (Map.Entry<String, String> m : e.metadata.entrySet()) {
                        g.writeStringField(m.getKey(), m.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        out.println();
    }

    private static void writeExtreme(JsonGenerator g, DType dtype, double asDouble, long asInteger, long count)
            throws IOException {
        if (count == 0 || Double.isNaN(asDouble)) {
            g.writeNull();
        } else if (dtype == DType.BOOL) {
            g.writeBoolean(asInteger != 0);
        } else if (dtype == DType.UINT64) {
            g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(asInteger)));
        } else if (dtype.isInteger()) {
            g.writeNumber(asInteger);
        } else {
            g.writeNumber(asDouble);
        }
    }
}
