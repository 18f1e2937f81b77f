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
                "Weights, broadcast by the reference's rule (docs/semantics.md#weight-broadcast); all ones when absent.");
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

    /** The inputs of one run, resolved and opened; labels mode has labels and a head, targets mode targets. */
    private record Opened(TensorRef logits, Optional<TensorRef> labels, Optional<TensorRef> targets,
                          Optional<TensorRef> weights, Optional<TensorRef> expect, EvalInputs in,
                          Optional<HeadLabels> head) {
        String weightsSource() {
            return labels.map(l -> "derived from " + l)
                    .orElseGet(() -> weights.map(TensorRef::toString).orElse("none (all ones)"));
        }

        String targetsName() {
            return labels.map(l -> "targets derived from " + l).orElseGet(() -> targets.get().toString());
        }
    }

    /** What the pass produced: the figures, and the per-element loss when a check needs it in memory. */
    private record Evaluated(DType outType, LossAccumulator acc, Optional<Tensor> lossInMemory) {
    }

    /** The run, step by step: open the inputs, run the pass, write the outputs, check, report. */
    private int evaluate() throws IOException {
        try (OpenFiles files = new OpenFiles()) {
            Opened inputs = open(files);
            Evaluated pass = runPass(inputs);
            EvalSummary summary = EvalSummaries.of(gamma, alpha, lossWeight, inputs.in(), inputs.weightsSource(),
                    pass.outType(), pass.acc(), Optional.ofNullable(classNames), inputs.head(), top, warnings.all());
            String summaryText = SummaryJson.text(summary);
            Optional<Tensor> checked = writeOutputs(inputs, pass, summary, summaryText, files);
            Optional<EvalChecks> results = Optional.ofNullable(checks.run(
                    inputs.expect().map(files::read).orElse(null), checked.orElse(null), summary, pass.outType(),
                    pass.acc(), inputs.in().logits.shape(), settings, spec.commandLine().getErr()));
            report(summary, summaryText, results);
            return results.map(EvalChecks::passed).orElse(true) ? 0 : FocalException.DIFFERENCES;
        }
    }

    /** Resolves the inputs (options, else the bundle's members), refuses outputs that name them, opens them. */
    private Opened open(OpenFiles files) {
        TensorRef logitsRef = resolve(logitsSpec, LOGITS_KEYS, "--logits", true, files);
        Optional<TensorRef> labelsRef = Optional.ofNullable(labels.given() ? labels.ref() : bundleLabels(logitsRef, files));
        Optional<TensorRef> targetsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.of(resolve(targetsSpec, TARGETS_KEYS, "--targets", true, files));
        Optional<TensorRef> weightsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.ofNullable(resolve(weightsSpec, WEIGHTS_KEYS, "--weights", false, files));
        Optional<TensorRef> expectRef = Optional.ofNullable(checks.expectRef());
        OutputPaths.refuseClashes(Arrays.asList(out, gradOut, stats, labels.writeTargets, labels.writeWeights,
                checks.junit, checks.expectStats), Arrays.asList(logitsRef, labelsRef.orElse(null),
                targetsRef.orElse(null), weightsRef.orElse(null), expectRef.orElse(null)));
        if (labelsRef.isPresent()) {
            HeadLabels head = labels.derive(files.read(labelsRef.get()));
            Tensor logits = head.reshapeLogits(files.read(logitsRef), logitsRef.toString());
            return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef,
                    new EvalInputs(logits, logitsRef.toString(), head.result), Optional.of(head));
        }
        Tensor logits = files.read(logitsRef);
        Tensor targets = files.read(targetsRef.get());
        InputShapes.checkTargets(logits, logitsRef.toString(), targets, targetsRef.get().toString());
        EvalInputs in = new EvalInputs(logits, logitsRef.toString(), targets, targetsRef.get().toString(),
                weightsRef.map(files::read).orElse(null), String.valueOf(weightsRef.orElse(null)));
        return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef, in, Optional.empty());
    }

    /**
     * The fused pass, writing the per-element loss and gradient as it goes. Its files are
     * committed only after the data warnings, so that --strict leaves no output behind.
     */
    private Evaluated runPass(Opened inputs) {
        EvalInputs in = inputs.in();
        DType outType = outDtype != null ? DType.byName(outDtype) : in.naturalOutputType();
        Kernels kernels = Kernels.choose(outType == DType.FLOAT32, settings.kernel());
        if (CommandModel.<Boolean>value(spec, "--debug")) {
            spec.commandLine().getErr().println("focal: kernels: " + kernels);
        }
        FocalEvaluation eval = new FocalEvaluation(in, gamma, alpha, lossWeight,
                inputs.head().map(h -> h.result.samples()).orElse(0), kernels);
        if (classNames != null && classNames.size() != eval.classes()) {
            throw FocalException.usage("--class-names gives " + classNames.size() + " names but the class axis has "
                    + eval.classes() + " classes");
        }
        boolean perElement = reduction == Reduction.none;
        Shape shape = in.logits.shape();
        Tensor lossInMemory = perElement && out == null && inputs.expect().isPresent()
                ? Tensor.allocate(outType, shape) : null;
        LossAccumulator acc;
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
            warnings.data(inputs.logits().toString(), inputs.targetsName(), x.zerosAndOnesOnly(), t.min(), t.max(),
                    acc.anchors(), acc.anchors(AnchorKind.IGNORED));
            if (lossFile != null) {
                lossFile.commit();
            }
            if (gradFile != null) {
                gradFile.commit();
            }
        }
        return new Evaluated(outType, acc, Optional.ofNullable(lossInMemory));
    }

    /**
     * The outputs after the pass (a reduced --out, the derived targets and weights, --stats);
     * returns what --expect checks: what --out holds, or would hold.
     */
    private Optional<Tensor> writeOutputs(Opened inputs, Evaluated pass, EvalSummary summary, String summaryText,
                                          OpenFiles files) {
        Optional<Tensor> result = pass.lossInMemory();
        if (reduction != Reduction.none) {
            Tensor reduced = reduced(summary.loss(), pass.outType());
            if (out != null) {
                TensorIO.write(reduced, out);
            }
            result = Optional.of(reduced);
        } else if (out != null && inputs.expect().isPresent()) {
            // The per-element loss went to --out; check what was written there.
            result = Optional.of(files.open(out.toString()).get(null));
        }
        inputs.head().ifPresent(labels::writeDerived);
        if (stats != null) {
            byte[] text = summaryText.getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(stats, s -> s.write(text));
        }
        return result;
    }

    /** The summary on stdout: JSON (with the checks' results), or the table and the checks' lines. */
    private void report(EvalSummary summary, String summaryText, Optional<EvalChecks> results) throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.print(results.isPresent() ? results.get().withChecks(summary) : summaryText);
        } else if (!quiet) {
            SummaryTable.print(summary, stdout);
            results.ifPresent(r -> r.printText(stdout));
        }
        stdout.flush();
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
    private TensorRef resolve(String explicit, String[] keys, String option, boolean required, OpenFiles files) {
        if (explicit != null) {
            return TensorRef.parse(explicit);
        }
        if (bundle == null) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle);
        TensorFile f = files.open(ref.file());
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
    private TensorRef bundleLabels(TensorRef logitsRef, OpenFiles files) {
        if (bundle == null || targetsSpec != null) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle);
        TensorFile f = files.open(ref.file());
        boolean hasTargets = Arrays.stream(TARGETS_KEYS).anyMatch(f.keys()::contains);
        String key = hasTargets ? null : LabelOptions.LABELS_KEYS.stream().filter(f.keys()::contains).findFirst()
                .orElse(null);
        if (key == null) {
            labels.refuseWithoutLabels();
            return null;
        }
        TensorRef member = ref.withKey(key);
        long perLabel = files.read(member).count();
        long values = files.read(logitsRef).count();
        labels.fromBundle(member, perLabel > 0 && values % perLabel == 0 ? values / perLabel : 0);
        return member;
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
