package dev.focal.cli;

import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.listOption;
import static dev.focal.cli.CommandModel.parameter;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.io.AtomicFile;
import dev.focal.io.OutputFile;
import dev.focal.io.TensorFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.loss.EvalInputs;
import dev.focal.loss.FocalEvaluation;
import dev.focal.loss.Kernels;
import dev.focal.loss.LossFunction;
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
            "index over all axes but the last, the class axis). --loss centernet and",
            "--loss gaussian evaluate the heatmap focal losses of CenterPoint, VoxelNeXt and",
            "TransFusion instead, counting peak, near and background elements.");
    private final Settings settings;
    private Warnings warnings;
    /** --loss, and --gamma and --alpha with its defaults: set by checkOptions. */
    private LossFunction function;
    private double gammaValue;
    private double alphaValue;

    // The options, in the order --help lists them.
    private final Arg<String> bundle = parameter(spec, "0", "0..1", "BUNDLE", String.class,
            "An .npz, .safetensors or JSON bundle (- is standard input) holding logits (or input, cls_preds), targets (target,"
                    + " one_hot_targets) and optionally weights (cls_weights). --logits/--targets/--weights"
                    + " override its members.");
    private final Arg<String> logitsSpec = option(spec, "--logits", "FILE", String.class, null,
            "Logits, FILE or FILE:KEY (float dtype).");
    private final Arg<String> targetsSpec = option(spec, "--targets", "FILE", String.class, null,
            "Targets (one-hot or soft), same shape as the logits. Integer and bool dtypes are converted.");
    private final Arg<String> weightsSpec = option(spec, "--weights", "FILE", String.class, null,
            "Weights, broadcast by the reference's rule (docs/semantics.md#weight-broadcast); all ones when absent.");
    private final Arg<String> lossName = option(spec, "--loss", "NAME", String.class, "sigmoid-focal",
            "sigmoid-focal (OpenPCDet's SigmoidFocalClassificationLoss, default), centernet (CenterHead's and"
                    + " VoxelNeXtHead's FocalLossCenterNet/FocalLossSparse) or gaussian (TransFusion's"
                    + " GaussianFocalLoss on clip_sigmoid): docs/semantics.md#heatmap-losses.");
    // <gamma> and <alpha>: the labels the annotations derived from the field names, kept for the same --help.
    private final Arg<Double> gamma = option(spec, "--gamma", "<gamma>", Double.class, null,
            "Focusing parameter (default: 2.0); for centernet and gaussian the power of 1 - target on"
                    + " non-peaks (default: 4.0).");
    private final Arg<Double> alpha = option(spec, "--alpha", "<alpha>", Double.class, null,
            "Weight of the positive side; 1 - alpha on the negative side (default: 0.25); for centernet and"
                    + " gaussian the power of the prediction (default: 2.0).");
    private final Arg<Reduction> reduction = option(spec, "--reduction", "MODE", Reduction.class, "none",
            "What --out holds: none (per element, default), sum, mean, or batch (sum / shape[0],"
                    + " OpenPCDet's rpn_loss_cls before cls_weight).");
    private final Arg<Path> out = option(spec, "--out", "FILE", Path.class, null,
            "Write the loss (after --reduction) to FILE (.npy or .json).");
    private final Arg<Path> gradOut = option(spec, "--grad-out", "FILE", Path.class, null,
            "Write d sum(loss) / d logits, shape of the logits, to FILE (.npy or .json).");
    private final Arg<String> outDtype = option(spec, "--out-dtype", "DTYPE", String.class, null,
            "float32 or float64 for --out and --grad-out (default: float64 if an input is float64, else float32).");
    private final Arg<Path> stats = option(spec, "--stats", "FILE", Path.class, null,
            "Also write the JSON summary to FILE.");
    private final ReportOptions reportOptions = new ReportOptions(spec);
    private final Arg<Boolean> json = flag(spec, "--json", "Print the summary as JSON instead of a table.");
    private final Arg<List<String>> classNames = listOption(spec, "--class-names", "A,B,C",
            "Names of the classes (the class axis), for the summary.");
    private final Arg<Integer> classAxis = option(spec, "--class-axis", "N", Integer.class, null,
            "The axis of the logits (and of targets shaped like them) that holds the classes, from 0;"
                    + " negative counts from the end (default: the last). The loss is evaluated with it moved last,"
                    + " as TransFusion's permute(0, 2, 1): --class-axis 1 for its raw (B, C, P) logits.");
    private final Arg<Integer> top = option(spec, "--top", "K", int.class, "0",
            "List the K elements with the largest loss (NaN first).");
    private final Arg<Double> lossWeight = option(spec, "--loss-weight", "W", double.class, "1.0",
            "Multiplies the per-element loss and gradient (OpenPCDet's cls_weight; TransFusion's hm_weight for"
                    + " gaussian), so that loss.head is the training log's number (default: ${DEFAULT-VALUE}).");
    private final LabelOptions labels = new LabelOptions(spec);
    private final CheckOptions checks = new CheckOptions(spec);
    private final Arg<Integer> threads = option(spec, "--threads", "N", Integer.class, null,
            "Worker threads (default: all cores). Results are identical for any N.");
    private final Arg<Boolean> quiet = flag(spec, "--quiet",
            "Print no table and no progress line (--json, checks' verdicts and errors still print).");
    private final Arg<Boolean> strict = flag(spec, "--strict", "Fail on what is otherwise a warning (targets"
            + " outside [0, 1], logits all 0 or 1, every anchor ignored: exit 3; a negative gamma, alpha outside"
            + " [0, 1]: exit 2), before writing any output.");

    EvalCommand(Settings settings) {
        this.settings = settings;
        spec.usageMessage().sortOptions(false);
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

    @Override
    public Integer call() throws IOException {
        OpenFiles.stdinOnce(namedInputs());
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
        for (String spec : Arrays.asList(bundle.get(), logitsSpec.get(), targetsSpec.get(), weightsSpec.get(),
                labels.labelsSpec.get(), checks.expectSpec.get())) {
            if (spec != null) {
                refs.add(TensorRef.parse(spec));
            }
        }
        return refs;
    }

    /**
     * The inputs of one run, resolved and opened; labels mode has labels and a head, targets mode
     * targets. {@code rawShape} is the logits' shape as read, before labels mode reshapes them.
     */
    private record Opened(TensorRef logits, Optional<TensorRef> labels, Optional<TensorRef> targets,
                          Optional<TensorRef> weights, Optional<TensorRef> expect, EvalInputs in,
                          Optional<HeadLabels> head, Shape rawShape) {
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
        reportOptions.prepare();
        try (OpenFiles files = new OpenFiles()) {
            Opened inputs = open(files);
            Evaluated pass = runPass(inputs);
            EvalSummary full = EvalSummaries.of(function, gammaValue, alphaValue, lossWeight.get(), inputs.in(),
                    inputs.weightsSource(), pass.outType(), pass.acc(), Optional.ofNullable(classNames.get()),
                    inputs.head(), reportOptions.passTop(top.get()), warnings.all());
            EvalSummary summary = ReportOptions.listed(full, top.get());
            String summaryText = SummaryJson.text(summary);
            Optional<Tensor> checked = writeOutputs(inputs, pass, summary, summaryText, files);
            Optional<EvalChecks> results = Optional.ofNullable(checks.run(
                    inputs.expect().map(files::read).orElse(null), checked.orElse(null), summary, pass.outType(),
                    pass.acc(), inputs.in().logits.shape(), settings, spec.commandLine().getErr()));
            reportOptions.write(full, ReportOptions.commandLine(spec.commandLine().getParseResult().originalArgs()));
            report(summary, summaryText, results);
            return results.map(EvalChecks::passed).orElse(true) ? 0 : FocalException.DIFFERENCES;
        }
    }

    /** Resolves the inputs (options, else the bundle's members), refuses outputs that name them, opens them. */
    private Opened open(OpenFiles files) {
        TensorRef logitsRef = resolve(logitsSpec.get(), LOGITS_KEYS, "--logits", true, files);
        Optional<TensorRef> labelsRef = Optional.ofNullable(labels.given() ? labels.ref() : bundleLabels(logitsRef, files));
        Optional<TensorRef> targetsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.of(resolve(targetsSpec.get(), TARGETS_KEYS, "--targets", true, files));
        Optional<TensorRef> weightsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.ofNullable(resolve(weightsSpec.get(), WEIGHTS_KEYS, "--weights", false, files));
        Optional<TensorRef> expectRef = Optional.ofNullable(checks.expectRef());
        OutputPaths.refuseClashes(Arrays.asList(out.get(), gradOut.get(), stats.get(), labels.writeTargets.get(),
                labels.writeWeights.get(), checks.junit.get(), checks.expectStats.get(), reportOptions.report.get()), Arrays.asList(logitsRef, labelsRef.orElse(null),
                targetsRef.orElse(null), weightsRef.orElse(null), expectRef.orElse(null)));
        ClassAxis axis = new ClassAxis(classAxis.get());
        if (labelsRef.isPresent()) {
            HeadLabels head = labels.derive(files.read(labelsRef.get()));
            Tensor raw = files.read(logitsRef);
            Tensor logits = head.reshapeLogits(axis.labels(raw, logitsRef.toString(), head.classes, warnings),
                    logitsRef.toString());
            return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef,
                    new EvalInputs(logits, logitsRef.toString(), head.result), Optional.of(head), raw.shape());
        }
        Tensor logits = files.read(logitsRef);
        ClassAxis.Targets laid = axis.targets(logits, logitsRef.toString(), files.read(targetsRef.get()),
                targetsRef.get().toString());
        EvalInputs in = new EvalInputs(laid.logits(), logitsRef.toString(), laid.targets(), targetsRef.get().toString(),
                weightsRef.map(files::read).orElse(null), String.valueOf(weightsRef.orElse(null)), laid.axis());
        return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef, in, Optional.empty(),
                logits.shape());
    }

    /**
     * The fused pass, writing the per-element loss and gradient as it goes. Its files are
     * committed only after the data warnings, so that --strict leaves no output behind.
     */
    private Evaluated runPass(Opened inputs) {
        EvalInputs in = inputs.in();
        DType outType = outDtype.get() != null ? DType.byName(outDtype.get()) : in.naturalOutputType();
        Kernels kernels = Kernels.choose(outType == DType.FLOAT32, settings.kernel());
        if (CommandModel.debug(spec)) {
            spec.commandLine().getErr().println("focal: kernels: " + kernels);
        }
        FocalEvaluation eval = new FocalEvaluation(in, function, gammaValue, alphaValue, lossWeight.get(),
                inputs.head().map(h -> h.result.samples()).orElse(function.heatmap() ? heatmapSamples(in) : 0), kernels);
        if (reportOptions.wanted()) {
            eval.gatherReport(reportOptions.grid(inputs.rawShape(), in.logits.shape()));
        }
        if (classNames.get() != null && classNames.get().size() != eval.classes()) {
            throw FocalException.usage("--class-names gives " + classNames.get().size() + " names but the class axis has "
                    + eval.classes() + " classes");
        }
        boolean perElement = reduction.get() == Reduction.none;
        Shape shape = in.logits.shape();
        Tensor lossInMemory = perElement && out.get() == null && inputs.expect().isPresent()
                ? Tensor.allocate(outType, shape) : null;
        LossAccumulator acc;
        try (OutputFile lossFile = perElement && out.get() != null ? OutputFile.create(out.get(), outType, shape) : null;
             OutputFile gradFile = gradOut.get() != null ? OutputFile.create(gradOut.get(), outType, shape) : null) {
            int workers = threads.get() != null ? threads.get() : Runtime.getRuntime().availableProcessors();
            Progress progress = Progress.start(settings.progress() && !json.get() && !quiet.get(), eval::elementsDone,
                    shape.count());
            try {
                acc = eval.run(lossFile != null ? lossFile : lossInMemory, gradFile, reportOptions.passTop(top.get()), workers);
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            ValueRange x = acc.logitRange();
            ValueRange t = acc.targetRange();
            // A heatmap loss's third slot is the background, not ignored anchors.
            warnings.data(inputs.logits().toString(), inputs.targetsName(), x.zerosAndOnesOnly(), t.min(), t.max(),
                    acc.anchors(), function.heatmap() ? 0 : acc.anchors(AnchorKind.IGNORED));
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
        if (reduction.get() != Reduction.none) {
            Tensor reduced = reduced(summary.loss(), pass.outType());
            if (out.get() != null) {
                TensorIO.write(reduced, out.get());
            }
            result = Optional.of(reduced);
        } else if (out.get() != null && inputs.expect().isPresent()) {
            // The per-element loss went to --out; check what was written there.
            result = Optional.of(files.open(out.get().toString()).get(null));
        }
        inputs.head().ifPresent(labels::writeDerived);
        if (stats.get() != null) {
            byte[] text = summaryText.getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(stats.get(), s -> s.write(text));
        }
        return result;
    }

    /** The summary on stdout: JSON (with the checks' results), or the table and the checks' lines. */
    private void report(EvalSummary summary, String summaryText, Optional<EvalChecks> results) throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (json.get()) {
            stdout.print(results.isPresent() ? results.get().withChecks(summary) : summaryText);
        } else if (!quiet.get()) {
            SummaryTable.print(summary, stdout);
            results.ifPresent(r -> r.printText(stdout));
        }
        stdout.flush();
    }

    private void checkOptions() {
        warnings = new Warnings(strict.get(), spec.commandLine().getErr());
        if (outDtype.get() != null && DType.byName(outDtype.get()) != DType.FLOAT32 && DType.byName(outDtype.get()) != DType.FLOAT64) {
            throw FocalException.usage("--out-dtype must be float32 or float64, not '" + outDtype.get() + "'");
        }
        function = LossFunction.byName(lossName.get());
        if (function == null) {
            throw FocalException.usage("--loss must be sigmoid-focal, centernet or gaussian, not '" + lossName.get() + "'");
        }
        gammaValue = gamma.find().orElse(function.defaultGamma());
        alphaValue = alpha.find().orElse(function.defaultAlpha());
        if (!Double.isFinite(gammaValue) || !Double.isFinite(alphaValue)) {
            throw FocalException.usage("--gamma and --alpha must be finite numbers");
        }
        if (function.heatmap() && (labels.given() || weightsSpec.get() != null)) {
            throw FocalException.usage("--loss " + function.cliName() + " takes logits and heatmap targets only;"
                    + " --labels and --weights belong to --loss sigmoid-focal");
        }
        if (!function.heatmap()) {
            warnings.options(gammaValue, alphaValue);
        }
        if (top.get() < 0) {
            throw FocalException.usage("--top must be 0 or more, not " + top.get());
        }
        if (threads.get() != null && threads.get() < 1) {
            throw FocalException.usage("--threads must be 1 or more, not " + threads.get());
        }
        checks.check();
        if (!Double.isFinite(lossWeight.get())) {
            throw FocalException.usage("--loss-weight must be a finite number");
        }
        labels.check(bundle.get() != null);
        if (labels.given() && (targetsSpec.get() != null || weightsSpec.get() != null)) {
            throw FocalException.usage("--labels derives targets and weights; do not also give --targets or --weights");
        }
        if (labels.given() && bundle.get() == null && logitsSpec.get() == null) {
            throw FocalException.usage("--labels needs --logits (or a BUNDLE holding the logits)");
        }
        if (!labels.given() && bundle.get() == null && (logitsSpec.get() == null || targetsSpec.get() == null)) {
            throw FocalException.usage("give a BUNDLE, or --logits and --targets, or --logits and --labels"
                    + " (see 'focal eval --help')");
        }
        for (Path p : new Path[] {out.get(), gradOut.get()}) {
            if (p != null) {
                TensorIO.checkOutput(p);
            }
        }
        if (stats.get() != null) {
            AtomicFile.checkWritable(stats.get());
        }
        reportOptions.check();
    }

    /** The explicit option, else the first alias found in the bundle; null for absent optional inputs. */
    private TensorRef resolve(String explicit, String[] keys, String option, boolean required, OpenFiles files) {
        if (explicit != null) {
            return TensorRef.parse(explicit);
        }
        if (bundle.get() == null) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle.get());
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
        if (bundle.get() == null || targetsSpec.get() != null || function.heatmap()) {
            return null;
        }
        TensorRef ref = TensorRef.parse(bundle.get());
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

    /**
     * The samples of a heatmap: the first axis of (B, C, H, W) and (B, C, N); a (N, C) heatmap
     * (VoxelNeXt's) has none.
     */
    private static int heatmapSamples(EvalInputs in) {
        Shape shape = in.logits.shape();
        return shape.rank() < 3 ? 0 : Math.toIntExact(shape.dim(0));
    }

    private Tensor reduced(EvalSummary.Loss loss, DType type) {
        double v;
        switch (reduction.get()) {
            case sum: v = loss.sum(); break;
            case mean: v = loss.mean().orElse(Double.NaN); break;
            default: v = loss.perBatch().orElse(Double.NaN); break;
        }
        Tensor t = Tensor.allocate(type, Shape.scalar());
        t.setDouble(0, v);
        return t;
    }
}
