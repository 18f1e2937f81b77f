package dev.focal.cli;

import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.parameter;
import static dev.focal.cli.CommandModel.parameterValue;
import static dev.focal.cli.CommandModel.value;

import dev.focal.FocalException;
import dev.focal.io.AtomicFile;
import dev.focal.io.OutputFile;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.loss.EvalInputs;
import dev.focal.loss.FocalEvaluation;
import dev.focal.loss.Kernels;
import dev.focal.stats.AnchorKind;
import dev.focal.stats.EvalSummary;
import dev.focal.stats.LossAccumulator;
import dev.focal.stats.ValueRange;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code focal eval}: the focal loss of dumped logits, targets and weights, with a summary. */
final class EvalCommand implements Callable<Integer> {
    static final String[] LOGITS_KEYS = {"logits", "input", "cls_preds"};
    static final String[] TARGETS_KEYS = {"targets", "target", "one_hot_targets"};
    static final String[] WEIGHTS_KEYS = {"weights", "cls_weights"};

    /** --reduction values. */
    enum Reduction { none, sum, mean, batch }

    final CommandSpec spec = CommandModel.command(this, "eval",
            "Evaluates OpenPCDet's sigmoid focal loss and prints a summary.",
            "The sigmoid focal classification loss of each element, computed in double with",
            "stable forms, is",
            "",
            "  loss = a * q^gamma * bce * w,  p = sigmoid(x),  a = t*alpha + (1-t)*(1-alpha),",
            "  q = t*(1-p) + (1-t)*p,  bce = max(x,0) - x*t + log1p(exp(-|x|)).",
            "",
            "The summary counts positive, negative and ignored anchors (an anchor is an",
            "index over all axes but the last, the class axis).");
    private final LabelOptions labels;
    private final CheckOptions checks;
    private final Settings settings;

    String bundle;
    String logitsSpec;
    String targetsSpec;
    String weightsSpec;
    double gamma;
    double alpha;
    Reduction reduction;
    Path out;
    Path gradOut;
    String outDtype;
    Path stats;
    boolean json;
    List<String> classNames;
    int top;
    double lossWeight;
    Integer threads;
    boolean strict;
    boolean quiet;
    private Warnings warnings;

    /** The options in the order --help lists them. */
    EvalCommand(Settings settings) {
        this.settings = settings;
        spec.usageMessage().sortOptions(false);
        parameter(spec, "0", "0..1", "BUNDLE", String.class,
                "An .npz or JSON bundle holding logits (or input, cls_preds), targets (target,"
                        + " one_hot_targets) and optionally weights (cls_weights). --logits/--targets/--weights"
                        + " override its members.");
        option(spec, "--logits", "FILE", String.class, null, "Logits, FILE or FILE:KEY (float dtype).");
        option(spec, "--targets", "FILE", String.class, null,
                "Targets (one-hot or soft), same shape as the logits. Integer and bool dtypes are converted.");
        option(spec, "--weights", "FILE", String.class, null,
                "Weights, broadcast by the reference's rule (see README); all ones when absent.");
        // <gamma> and <alpha>: the labels the annotations derived from the field names, kept for the same --help.
        option(spec, "--gamma", "<gamma>", double.class, "2.0", "Focusing parameter (default: ${DEFAULT-VALUE}).");
        option(spec, "--alpha", "<alpha>", double.class, "0.25",
                "Weight of the positive side; 1 - alpha on the negative side (default: ${DEFAULT-VALUE}).");
        option(spec, "--reduction", "MODE", Reduction.class, "none",
                "What --out holds: none (per element, default), sum, mean, or batch (sum / shape[0],"
                        + " OpenPCDet's rpn_loss_cls before cls_weight).");
        option(spec, "--out", "FILE", Path.class, null, "Write the loss (after --reduction) to FILE (.npy or .json).");
        option(spec, "--grad-out", "FILE", Path.class, null,
                "Write d sum(loss) / d logits, shape of the logits, to FILE (.npy or .json).");
        option(spec, "--out-dtype", "DTYPE", String.class, null,
                "float32 or float64 for --out and --grad-out (default: float64 if an input is float64, else float32).");
        option(spec, "--stats", "FILE", Path.class, null, "Also write the JSON summary to FILE.");
        flag(spec, "--json", "Print the summary as JSON instead of a table.");
        spec.addOption(OptionSpec.builder("--class-names").paramLabel("A,B,C").splitRegex(",")
                .type(List.class).auxiliaryTypes(String.class)
                .description("Names of the classes (the last axis), for the summary.").build());
        option(spec, "--top", "K", int.class, "0", "List the K elements with the largest loss (NaN first).");
        option(spec, "--loss-weight", "W", double.class, "1.0",
                "Multiplies the per-element loss and gradient (OpenPCDet's cls_weight), so that loss.per_batch"
                        + " is rpn_loss_cls (default: ${DEFAULT-VALUE}).");
        labels = new LabelOptions(spec);
        checks = new CheckOptions(spec);
        option(spec, "--threads", "N", Integer.class, null,
                "Worker threads (default: all cores). Results are identical for any N.");
        flag(spec, "--quiet", "Print no table and no progress line (--json, checks' verdicts and errors still print).");
        flag(spec, "--strict", "Fail on what is otherwise a warning (targets outside [0, 1], logits all 0 or 1,"
                + " every anchor ignored: exit 3; a negative gamma, alpha outside [0, 1]: exit 2), before writing"
                + " any output.");
        helpOptions(spec);
        examples(spec,
                "  # The loss of a bundle's logits, targets and weights, with the classes named",
                "  focal eval samples/anchor_head.npz --class-names Car,Pedestrian,Cyclist",
                "  # Targets and weights derived from OpenPCDet's anchor labels",
                "  focal eval --logits samples/anchor_head/cls_preds.npy \\",
                "      --labels samples/anchor_head/box_cls_labels.npy --num-classes 3",
                "  # The per-element loss and its gradient, written as .npy files",
                "  focal eval samples/tiny.json --out /tmp/loss.npy --grad-out /tmp/grad.npy",
                "  # The summary as JSON, with the 5 elements of largest loss",
                "  focal eval samples/anchor_head.npz --top 5 --json");
    }

    /** The parsed values into the fields. */
    private void read() {
        bundle = parameterValue(spec, 0);
        logitsSpec = value(spec, "--logits");
        targetsSpec = value(spec, "--targets");
        weightsSpec = value(spec, "--weights");
        gamma = value(spec, "--gamma");
        alpha = value(spec, "--alpha");
        reduction = value(spec, "--reduction");
        out = value(spec, "--out");
        gradOut = value(spec, "--grad-out");
        outDtype = value(spec, "--out-dtype");
        stats = value(spec, "--stats");
        json = value(spec, "--json");
        classNames = value(spec, "--class-names");
        top = value(spec, "--top");
        lossWeight = value(spec, "--loss-weight");
        threads = value(spec, "--threads");
        strict = value(spec, "--strict");
        quiet = value(spec, "--quiet");
        labels.read();
        checks.read();
    }

    @Override
    public Integer call() throws IOException {
        read();
        checks.checkReport(namedInputs());
        try {
            checkOptions();
            return evaluate();
        } catch (RuntimeException e) {
            checks.reportError(e);
            throw e;
        }
    }

    /** The inputs named on the command line, before any is opened. */
    private List<TensorRef> namedInputs() {
        List<TensorRef> refs = new ArrayList<>();
        for (String spec : Arrays.asList(bundle, logitsSpec, targetsSpec, weightsSpec, labels.labelsSpec,
                checks.expectSpec)) {
            if (spec != null) {
                refs.add(TensorRef.parse(spec));
            }
        }
        return refs;
    }

    private int evaluate() throws IOException {
        List<TensorFile> open = new ArrayList<>();
        try {
            TensorRef logitsRef = resolve(logitsSpec, LOGITS_KEYS, "--logits", true, open);
            TensorRef labelsRef = labels.given() ? labels.ref() : bundleLabels(logitsRef, open);
            TensorRef targetsRef = labelsRef != null ? null : resolve(targetsSpec, TARGETS_KEYS, "--targets", true, open);
            TensorRef weightsRef = labelsRef != null ? null : resolve(weightsSpec, WEIGHTS_KEYS, "--weights", false, open);
            TensorRef expectRef = checks.expectRef();
            OutputPaths.refuseClashes(Arrays.asList(out, gradOut, stats, labels.writeTargets, labels.writeWeights,
                    checks.junit, checks.expectStats), Arrays.asList(logitsRef, labelsRef, targetsRef, weightsRef, expectRef));

            EvalInputs in;
            HeadLabels head = null;
            if (labelsRef != null) {
                head = labels.derive(read(labelsRef, open));
                Tensor logits = head.reshapeLogits(read(logitsRef, open), logitsRef.toString());
                in = new EvalInputs(logits, logitsRef.toString(), head.result);
            } else {
                Tensor logits = read(logitsRef, open);
                Tensor targets = read(targetsRef, open);
                InputShapes.checkTargets(logits, logitsRef.toString(), targets, targetsRef.toString());
                in = new EvalInputs(logits, logitsRef.toString(), targets, targetsRef.toString(),
                        weightsRef == null ? null : read(weightsRef, open), String.valueOf(weightsRef));
            }
            DType outType = outDtype != null ? DType.byName(outDtype) : in.naturalOutputType();
            LossAccumulator acc;
            FocalEvaluation eval = new FocalEvaluation(in, gamma, alpha, lossWeight,
                    head == null ? 0 : head.result.samples(),
                    Kernels.choose(outType == DType.FLOAT32, settings.kernel()));
            if (classNames != null && classNames.size() != eval.classes()) {
                throw FocalException.usage("--class-names gives " + classNames.size() + " names but the class axis has "
                        + eval.classes() + " classes");
            }
            boolean perElement = reduction == Reduction.none;
            Shape shape = in.logits.shape();
            Tensor lossInMemory = perElement && out == null && expectRef != null ? Tensor.allocate(outType, shape) : null;
            try (OutputFile lossFile = perElement && out != null ? OutputFile.create(out, outType, shape) : null;
                 OutputFile gradFile = gradOut != null ? OutputFile.create(gradOut, outType, shape) : null) {
                int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
                Progress progress = Progress.start(settings.progress() && !json && !quiet, eval::elementsDone,
                        shape.count());
                try {
                    acc = eval.run(lossFile != null ? lossFile : lossInMemory, gradFile, top, workers);
                } finally {
                    if (progress != null) {
                        progress.close();
                    }
                }
                ValueRange x = acc.logitRange();
                ValueRange t = acc.targetRange();
                warnings.data(logitsRef.toString(), head != null ? "targets derived from " + labelsRef
                        : targetsRef.toString(), x.zerosAndOnesOnly(), t.min(), t.max(),
                        acc.anchors(), acc.anchors(AnchorKind.IGNORED));
                if (lossFile != null) {
                    lossFile.commit();
                }
                if (gradFile != null) {
                    gradFile.commit();
                }
            }

            String weightsSource = head != null ? "derived from " + labelsRef
                    : weightsRef == null ? "none (all ones)" : weightsRef.toString();
            EvalSummary summary = EvalSummaries.of(gamma, alpha, lossWeight, in, weightsSource, outType, acc,
                    Optional.ofNullable(classNames), Optional.ofNullable(head), top, warnings.all());
            String summaryJson = SummaryJson.text(summary);
            Tensor result = !perElement ? reduced(summary.loss(), outType) : lossInMemory;
            if (!perElement && out != null) {
                TensorIO.write(result, out);
            }
            if (result == null && expectRef != null) {
                // The per-element loss went to --out; check what was written there.
                result = openOnce(out.toString(), open).get(null);
            }
            if (head != null) {
                labels.writeDerived(head);
            }
            if (stats != null) {
                AtomicFile.write(stats, s -> s.write(summaryJson.getBytes(StandardCharsets.UTF_8)));
            }
            EvalChecks results = checks.run(expectRef == null ? null : openOnce(expectRef.file(), open).get(expectRef.key()),
                    result, summary, outType, acc, shape, settings, spec.commandLine().getErr());
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                stdout.print(results == null ? summaryJson : results.withChecks(summary));
            } else if (!quiet) {
                SummaryTable.print(summary, stdout);
                if (results != null) {
                    results.printText(stdout);
                }
            }
            stdout.flush();
            return results == null || results.passed() ? 0 : FocalException.DIFFERENCES;
        } finally {
            for (TensorFile f : open) {
                f.close();
            }
        }
    }

    private void checkOptions() {
        warnings = new Warnings(strict, spec.commandLine().getErr());
        if (outDtype != null && DType.byName(outDtype) != DType.FLOAT32 && DType.byName(outDtype) != DType.FLOAT64) {
            throw FocalException.usage("--out-dtype must be float32 or float64, not '" + outDtype + "'");
        }
        if (!Double.isFinite(gamma) || !Double.isFinite(alpha)) {
            throw FocalException.usage("--gamma and --alpha must be finite numbers");
        }
        warnings.options(gamma, alpha);
        if (top < 0) {
            throw FocalException.usage("--top must be 0 or more, not " + top);
        }
        if (threads != null && threads < 1) {
            throw FocalException.usage("--threads must be 1 or more, not " + threads);
        }
        checks.check();
        if (!Double.isFinite(lossWeight)) {
            throw FocalException.usage("--loss-weight must be a finite number");
        }
        labels.check(bundle != null);
        if (labels.given() && (targetsSpec != null || weightsSpec != null)) {
            throw FocalException.usage("--labels derives targets and weights; do not also give --targets or --weights");
        }
        if (labels.given() && bundle == null && logitsSpec == null) {
            throw FocalException.usage("--labels needs --logits (or a BUNDLE holding the logits)");
        }
        if (!labels.given() && bundle == null && (logitsSpec == null || targetsSpec == null)) {
            throw FocalException.usage("give a BUNDLE, or --logits and --targets, or --logits and --labels"
                    + " (see 'focal eval --help')");
        }
        for (Path p : new Path[] {out, gradOut}) {
            if (p != null) {
                TensorIO.checkOutput(p);
            }
        }
        if (stats != null) {
            AtomicFile.checkWritable(stats);
        }
    }

    /** The explicit option, else the first alias found in the bundle; null for absent optional inputs. */
    private TensorRef resolve(String explicit, String[] keys, String option, boolean required, List<TensorFile> open) {
        if (explicit != null) {
            return TensorRef.parse(explicit);
        }
        if (bundle == null) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle);
        TensorFile f = openOnce(ref.file(), open);
        for (String k : keys) {
            if (f.keys().contains(k)) {
                return ref.withKey(k);
            }
        }
        if (required) {
            throw FocalException.input(ref.file(), "no " + option.substring(2) + " member (looked for "
                    + String.join(", ", keys) + "; has: " + (f.keys().isEmpty() ? "a single array" : String.join(", ", f.keys()))
                    + "); name it with " + option + " FILE:KEY");
        }
        return null;
    }

    /**
     * The labels member of a bundle that holds labels and no targets (what a breakpoint in
     * OpenPCDet's get_cls_layer_loss dumps), switching to labels mode; else null.
     */
    private TensorRef bundleLabels(TensorRef logitsRef, List<TensorFile> open) {
        if (bundle == null || targetsSpec != null) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle);
        TensorFile f = openOnce(ref.file(), open);
        boolean hasTargets = Arrays.stream(TARGETS_KEYS).anyMatch(f.keys()::contains);
        String key = hasTargets ? null : LabelOptions.LABELS_KEYS.stream().filter(f.keys()::contains).findFirst()
                .orElse(null);
        if (key == null) {
            labels.refuseWithoutLabels();
            return null;
        }
        TensorRef member = ref.withKey(key);
        long perLabel = read(member, open).count();
        long values = read(logitsRef, open).count();
        labels.fromBundle(member, perLabel > 0 && values % perLabel == 0 ? values / perLabel : 0);
        return member;
    }

    private static TensorFile openOnce(String file, List<TensorFile> open) {
        for (TensorFile f : open) {
            if (f.name().equals(file)) {
                return f;
            }
        }
        TensorFile f = TensorIO.open(file);
        open.add(f);
        return f;
    }

    private static Tensor read(TensorRef ref, List<TensorFile> open) {
        return openOnce(ref.file(), open).get(ref.key());
    }

    private Tensor reduced(EvalSummary.Loss loss, DType type) {
        double v;
        switch (reduction) {
            case sum: v = loss.sum(); break;
            case mean: v = loss.mean().orElse(Double.NaN); break;
            default: v = loss.perBatch().orElse(Double.NaN); break;
        }
        Tensor t = Tensor.allocate(type, Shape.scalar());
        t.setDouble(0, v);
        return t;
    }
}
