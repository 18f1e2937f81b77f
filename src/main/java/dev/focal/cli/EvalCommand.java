package dev.focal.cli;

import static dev.focal.cli.CommandModel.add;
import static dev.focal.cli.CommandModel.examples;
import static dev.focal.cli.CommandModel.flag;
import static dev.focal.cli.CommandModel.helpOptions;
import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.listOption;
import static dev.focal.cli.CommandModel.parameterBuilder;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.compare.JUnitReport;
import dev.focal.io.AtomicFile;
import dev.focal.io.FileNames;
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
import dev.focal.stats.Grid;
import dev.focal.stats.LossAccumulator;
import dev.focal.stats.Numbers;
import dev.focal.stats.ValueRange;
import dev.focal.tensor.AxisRestoringSink;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import dev.focal.tensor.TensorSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    /** The bundle being evaluated, null without one: the BUNDLE, or each dump of a many-dumps eval in turn. */
    private String bundle;
    /** Whether this is a many-dumps eval (docs/commands.md#many-dumps), which prints a row per dump. */
    private boolean many;
    /** The values of --gamma and --alpha; more than one pair is a sweep (docs/commands.md#sweeps). */
    private double[] gammas;
    private double[] alphas;
    /** Every gamma with every alpha, gamma major. */
    private final List<FocalEvaluation.Pair> pairs = new ArrayList<>();
    /** --loss: set by checkOptions, before the pairs, whose defaults it gives. */
    private LossFunction function;

    // The options, in the order --help lists them.
    private final Arg<List<String>> bundles = add(spec, parameterBuilder("0..*", "BUNDLE",
            "An .npz, .safetensors or JSON bundle (- is standard input) holding logits (or input, cls_preds), targets (target,"
                    + " one_hot_targets) and optionally weights (cls_weights). --logits/--targets/--weights"
                    + " override its members. Several bundles, or a folder (its bundles in natural order),"
                    + " are evaluated one after another: one row each (docs/commands.md#many-dumps).")
            .index("0..*").type(List.class).auxiliaryTypes(String.class).build());
    private final Arg<Path> inputs = option(spec, "--inputs", "FILE", Path.class, null,
            "Also evaluate the bundles FILE lists, one per line.");
    private final Arg<Path> table = option(spec, "--table", "FILE", Path.class, null,
            "With many dumps: write one row per dump to FILE (.csv, .jsonl or .json).");
    private final Arg<Boolean> failFast = flag(spec, "--fail-fast",
            "With many dumps: stop at the first dump that fails (default: a row with its error, exit 3 at the end).");
    private final Arg<List<String>> logitsSpecs = CommandModel.add(spec, OptionSpec.builder("--logits")
            .paramLabel("FILE").type(List.class).auxiliaryTypes(String.class)
            .description("Logits, FILE or FILE:KEY (float dtype). With --labels, once per head of a multi-head anchor"
                    + " head, in head order.").build());
    private final Arg<String> targetsSpec = option(spec, "--targets", "FILE", String.class, null,
            "Targets (one-hot or soft), same shape as the logits. Integer and bool dtypes are converted.");
    private final Arg<String> weightsSpec = option(spec, "--weights", "FILE", String.class, null,
            "Weights, broadcast by the reference's rule (docs/semantics.md#weight-broadcast); all ones when absent.");
    private final Arg<String> lossName = option(spec, "--loss", "NAME", String.class, "sigmoid-focal",
            "sigmoid-focal (OpenPCDet's SigmoidFocalClassificationLoss, default), centernet (CenterHead's and"
                    + " VoxelNeXtHead's FocalLossCenterNet/FocalLossSparse) or gaussian (TransFusion's"
                    + " GaussianFocalLoss on clip_sigmoid): docs/semantics.md#heatmap-losses.");
    // <gamma> and <alpha>: the labels the annotations derived from the field names, kept for the same --help.
    private final Arg<String> gamma = option(spec, "--gamma", "<gamma>", String.class, null,
            "Focusing parameter (default: 2.0; for centernet and gaussian the power of 1 - target on non-peaks,"
                    + " default 4.0). A list (0,1,2) or a range START:END:STEP (0:3:0.5) sweeps it"
                    + " (docs/commands.md#sweeps).");
    private final Arg<String> alpha = option(spec, "--alpha", "<alpha>", String.class, null,
            "Weight of the positive side; 1 - alpha on the negative side (default: 0.25; for centernet and"
                    + " gaussian the power of the prediction, default 2.0). A list or a range sweeps it, every"
                    + " gamma with every alpha.");
    private final Arg<String> sweepMetric = option(spec, "--sweep-metric", "FIELD", String.class, null,
            "In a sweep: the summary's numeric field the grid shows (default: loss.per_batch; for centernet and"
                    + " gaussian loss.head).");
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
                    + " as TransFusion's permute(0, 2, 1): --class-axis 1 for its raw (B, C, P) logits. --out and"
                    + " --grad-out keep the logits' layout.");
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
            if (!many) {
                return evaluate();
            }
            List<String> dumps = DumpInputs.expand(bundleArguments(), inputs.get());
            checkManyOutputs(dumps);
            ManyDumps.Options options = new ManyDumps.Options(table.get(), stats.get(), json.get(), quiet.get(),
                    failFast.get(), settings.progress(), sweep(), function.heatmap());
            return new ManyDumps(options, checks, rows -> reportOptions.writeDumps(rows, commandLine()),
                    spec.commandLine().getOut(), spec.commandLine().getErr()).run(dumps, this::evaluateDump);
        } catch (RuntimeException e) {
            checks.reportError(e);
            throw e;
        }
    }

    /** The command line that reproduces the run, for the report. */
    private String commandLine() {
        return ReportOptions.commandLine(spec.commandLine().getParseResult().originalArgs());
    }

    /** The inputs named on the command line, before any is opened. */
    private List<TensorRef> namedInputs() {
        List<TensorRef> refs = new ArrayList<>();
        List<String> named = new ArrayList<>(bundleArguments());
        named.addAll(logitsSpecs.find().orElse(List.of()));
        named.addAll(Arrays.asList(targetsSpec.get(), weightsSpec.get(), labels.labelsSpec.get(),
                checks.expectSpec.get()));
        for (String spec : named) {
            if (spec != null) {
                refs.add(TensorRef.parse(spec));
            }
        }
        return refs;
    }

    /** The first --logits, or null: the only one but with a multi-head's labels. */
    private String logitsSpec() {
        return logitsSpecs.find().map(l -> l.get(0)).orElse(null);
    }

    /**
     * The inputs of one run, resolved and opened; labels mode has labels and a head, targets mode
     * targets. {@code rawShape} is the logits' shape as read (with the class axis last), before
     * labels mode reshapes them; {@code classAxis} the axis of the logits as read that holds the
     * classes, where the per-element outputs put it back (docs/semantics.md#class-axis).
     */
    private record Opened(TensorRef logits, Optional<TensorRef> labels, Optional<TensorRef> targets,
                          Optional<TensorRef> weights, Optional<TensorRef> expect, EvalInputs in,
                          Optional<HeadLabels> head, Shape rawShape, int classAxis) {
        /**
         * The shape of --out and --grad-out: the loss's (in labels mode the head's (B, A, C)), or,
         * when the logits hold their classes on another axis, their layout, classes in place.
         */
        Shape outputShape() {
            return classAxis < 0 || classAxis == rawShape.rank() - 1 ? in.logits.shape()
                    : AxisRestoringSink.restored(rawShape, classAxis);
        }

        /** {@code sink}, of the output shape, taking the elements in the loss's order. */
        TensorSink output(TensorSink sink) {
            return AxisRestoringSink.of(sink, classAxis);
        }

        String weightsSource() {
            return labels.map(l -> "derived from " + l)
                    .orElseGet(() -> weights.map(TensorRef::toString).orElse("none (all ones)"));
        }

        String targetsName() {
            return labels.map(l -> "targets derived from " + l).orElseGet(() -> targets.get().toString());
        }
    }

    /**
     * What the pass produced: the figures (one per pair, gamma major), and the per-element loss
     * when a check needs it in memory.
     */
    private record Evaluated(DType outType, LossAccumulator[] accs, Optional<Tensor> lossInMemory) {
        /** The figures of the only pair, or what every pair shares (the inputs' ranges and counts). */
        LossAccumulator acc() {
            return accs[0];
        }
    }

    private boolean sweep() {
        return pairs.size() > 1;
    }

    /** The run, step by step: open the inputs, run the pass, write the outputs, check, report. */
    private int evaluate() throws IOException {
        bundle = bundleArguments().isEmpty() ? null : bundleArguments().get(0);
        if (sweep()) {
            return evaluateSweep();
        }
        reportOptions.prepare();
        try (OpenFiles files = new OpenFiles()) {
            Opened inputs = open(files);
            Evaluated pass = runPass(inputs);
            EvalSummary full = summarize(inputs, pass, 0, reportOptions.passTop(top.get()));
            EvalSummary summary = ReportOptions.listed(full, top.get());
            String summaryText = SummaryJson.text(summary);
            Optional<Tensor> checked = writeOutputs(inputs, pass, summary, summaryText, files);
            Optional<EvalChecks> results = Optional.ofNullable(checks.run(
                    inputs.expect().map(files::read).orElse(null), checked.orElse(null), summary, pass.outType(),
                    pass.acc(), inputs.in().logits.shape(), settings, spec.commandLine().getErr(), ""));
            results.ifPresent(r -> checks.writeReport(r.cases()));
            reportOptions.write(full, commandLine());
            report(summary, summaryText, results);
            return results.map(EvalChecks::passed).orElse(true) ? 0 : FocalException.DIFFERENCES;
        }
    }

    /**
     * One dump of a many-dumps eval, by the same steps; it has no per-element outputs, and its
     * checks are the summary's (--fail-on-nonfinite).
     */
    private ManyDumps.Outcome evaluateDump(String dump) throws IOException {
        bundle = dump;
        warnings = warnings.forNextDump();
        try (OpenFiles files = new OpenFiles()) {
            Opened inputs = open(files);
            return pairsOutcome(inputs, runPass(inputs), dump);
        }
    }

    /**
     * A sweep of one bundle (docs/commands.md#sweeps): the grid of --sweep-metric, --table's row
     * per pair, and --stats/--json's summary per pair; --fail-on-nonfinite checks each pair.
     */
    private int evaluateSweep() throws IOException {
        try (OpenFiles files = new OpenFiles()) {
            Opened inputs = open(files);
            Evaluated pass = runPass(inputs);
            ManyDumps.Outcome outcome = pairsOutcome(inputs, pass, "");
            inputs.head().ifPresent(labels::writeDerived);
            List<JUnitReport.Case> cases = new ArrayList<>();
            boolean passed = true;
            for (EvalChecks c : outcome.checks()) {
                cases.addAll(c.cases());
                passed &= c.passed();
            }
            checks.writeReport(cases);
            if (table.get() != null) {
                List<DumpTable.Row> rows = new ArrayList<>();
                for (EvalSummary s : outcome.summaries()) {
                    rows.add(DumpTable.Row.of(bundle == null ? inputs.logits().toString() : bundle, s));
                }
                new DumpTable(true, function.heatmap()).write(table.get(), rows);
            }
            SweepGrid grid = new SweepGrid(gammas, alphas, outcome.summaries());
            String metric = sweepMetric.find().orElse(SweepGrid.defaultMetric(function));
            reportOptions.writeSweep(bundle == null ? inputs.logits().toString() : bundle, grid, metric, commandLine());
            String statsText = stats.get() != null || json.get() ? grid.statsText(metric) : null;
            if (stats.get() != null) {
                byte[] text = statsText.getBytes(StandardCharsets.UTF_8);
                AtomicFile.write(stats.get(), s -> s.write(text));
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (json.get()) {
                stdout.print(statsText);
            } else if (!quiet.get()) {
                // The checks' verdicts went to stderr, each naming its pair, as a many-dumps eval's do.
                grid.print(metric, stdout);
            }
            stdout.flush();
            return passed ? 0 : FocalException.DIFFERENCES;
        }
    }

    /** The summary of each pair of a pass, and each one's checks (the summary's: --fail-on-nonfinite). */
    private ManyDumps.Outcome pairsOutcome(Opened inputs, Evaluated pass, String dump) throws IOException {
        List<EvalSummary> summaries = new ArrayList<>();
        List<EvalChecks> results = new ArrayList<>();
        for (int p = 0; p < pairs.size(); p++) {
            EvalSummary summary = summarize(inputs, pass, p, top.get());
            summaries.add(summary);
            // A sweep's checks name their pair in each case and message, after the dump's name.
            String label = !sweep() ? dump : (dump.isEmpty() ? "" : dump + ": ") + "gamma " + Numbers.format(
                    pairs.get(p).gamma()) + ", alpha " + Numbers.format(pairs.get(p).alpha());
            EvalChecks r = checks.run(null, null, summary, pass.outType(), pass.accs()[p],
                    inputs.in().logits.shape(), settings, spec.commandLine().getErr(), label);
            if (r != null) {
                results.add(r);
            }
        }
        return new ManyDumps.Outcome(summaries, results);
    }

    /** The summary of a pair's figures, listing the {@code topK} elements of largest loss the pass kept. */
    private EvalSummary summarize(Opened inputs, Evaluated pass, int pair, int topK) {
        FocalEvaluation.Pair p = pairs.get(pair);
        return EvalSummaries.of(function, p.gamma(), p.alpha(), lossWeight.get(), inputs.in(), inputs.weightsSource(),
                pass.outType(), pass.accs()[pair], Optional.ofNullable(classNames.get()), inputs.head(), topK,
                warnings.all());
    }

    /** Resolves the inputs (options, else the bundle's members), refuses outputs that name them, opens them. */
    private Opened open(OpenFiles files) {
        List<TensorRef> headRefs = new ArrayList<>();
        logitsSpecs.find().ifPresent(l -> l.forEach(h -> headRefs.add(TensorRef.parse(h))));
        if (headRefs.isEmpty()) {
            headRefs.addAll(bundleHeads(files));
        }
        TensorRef logitsRef = headRefs.isEmpty() ? resolve(logitsSpec(), LOGITS_KEYS, "--logits", true, files)
                : headRefs.get(0);
        Optional<TensorRef> labelsRef = Optional.ofNullable(labels.given() ? labels.ref() : bundleLabels(headRefs,
                logitsRef, files));
        if (headRefs.size() > 1 && labelsRef.isEmpty()) {
            throw FocalException.input(bundle, "its logits are a list of " + headRefs.size() + " heads (a multi-head"
                    + " anchor head's cls_preds), which need the head's labels (" + String.join(", ",
                    LabelOptions.LABELS_KEYS) + ") and --num-classes C");
        }
        Optional<TensorRef> targetsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.of(resolve(targetsSpec.get(), TARGETS_KEYS, "--targets", true, files));
        Optional<TensorRef> weightsRef = labelsRef.isPresent() ? Optional.empty()
                : Optional.ofNullable(resolve(weightsSpec.get(), WEIGHTS_KEYS, "--weights", false, files));
        Optional<TensorRef> expectRef = Optional.ofNullable(checks.expectRef());
        OutputPaths.refuseClashes(Arrays.asList(out.get(), gradOut.get(), stats.get(), table.get(), labels.writeTargets.get(),
                labels.writeWeights.get(), checks.junit.get(), checks.expectStats.get(), reportOptions.report.get()),
                namedInputs(headRefs, logitsRef, labelsRef.orElse(null), targetsRef.orElse(null),
                        weightsRef.orElse(null), expectRef.orElse(null)));
        ClassAxis axis = new ClassAxis(classAxis.get());
        if (labelsRef.isPresent()) {
            HeadLabels head = labels.derive(files.read(labelsRef.get()));
            Tensor raw;
            Tensor logits;
            int classAxis;
            if (headRefs.size() > 1) {
                List<Tensor> heads = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (TensorRef r : headRefs) {
                    heads.add(axis.labels(files.read(r), r.toString(), head.classes, warnings));
                    names.add(r.toString());
                }
                logits = head.multiHead(heads, names);
                raw = logits;
                // The heads are copied into one (B, A, C) layout: the outputs have that one.
                classAxis = raw.shape().rank() - 1;
            } else {
                Tensor read = files.read(logitsRef);
                classAxis = axis.of(read.shape(), logitsRef.toString());
                raw = axis.labels(read, logitsRef.toString(), head.classes, warnings);
                logits = head.reshapeLogits(raw, logitsRef.toString());
            }
            return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef,
                    new EvalInputs(logits, logitsRef.toString(), head.result), Optional.of(head), raw.shape(),
                    classAxis);
        }
        Tensor read = files.read(logitsRef);
        ClassAxis.Targets laid = axis.targets(read, logitsRef.toString(), files.read(targetsRef.get()),
                targetsRef.get().toString());
        EvalInputs in = new EvalInputs(laid.logits(), logitsRef.toString(), laid.targets(), targetsRef.get().toString(),
                weightsRef.map(files::read).orElse(null), String.valueOf(weightsRef.orElse(null)), laid.axis());
        return new Opened(logitsRef, labelsRef, targetsRef, weightsRef, expectRef, in, Optional.empty(),
                in.logits.shape(), axis.of(read.shape(), logitsRef.toString()));
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
        FocalEvaluation eval = new FocalEvaluation(in, function, pairs, lossWeight.get(),
                inputs.head().map(h -> h.result.samples()).orElse(function.heatmap() ? heatmapSamples(in) : 0), kernels);
        // The histograms and cells feed the figures of one evaluation; a sweep's or many dumps' report has none.
        if (reportOptions.wanted() && !many && !sweep()) {
            Grid grid = reportOptions.grid(inputs.rawShape(), in.logits.shape(), function.heatmap());
            reportOptions.prepareHeatmaps(grid);
            eval.gatherReport(grid);
        }
        if (classNames.get() != null && classNames.get().size() != eval.classes()) {
            throw FocalException.usage("--class-names gives " + classNames.get().size() + " names but the class axis has "
                    + eval.classes() + " classes");
        }
        boolean perElement = reduction.get() == Reduction.none;
        Shape shape = in.logits.shape();
        Shape outShape = inputs.outputShape();
        Tensor lossInMemory = perElement && out.get() == null && inputs.expect().isPresent()
                ? Tensor.allocate(outType, outShape) : null;
        LossAccumulator[] accs;
        try (OutputFile lossFile = perElement && out.get() != null ? OutputFile.create(out.get(), outType, outShape)
                : null;
             OutputFile gradFile = gradOut.get() != null ? OutputFile.create(gradOut.get(), outType, outShape) : null) {
            int workers = threads.get() != null ? threads.get() : Runtime.getRuntime().availableProcessors();
            Progress progress = Progress.start(settings.progress() && !json.get() && !quiet.get() && !many, eval::elementsDone,
                    shape.count());
            try {
                accs = sweep() ? eval.sweep(top.get(), workers)
                        : new LossAccumulator[] {eval.run(inputs.output(lossFile != null ? lossFile : lossInMemory),
                                inputs.output(gradFile),
                                reportOptions.passTop(top.get()), workers)};
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            // Every pair saw the same inputs: the first one's ranges and counts are all of theirs. A
            // heatmap loss's third slot is the background, not ignored anchors.
            ValueRange x = accs[0].logitRange();
            ValueRange t = accs[0].targetRange();
            warnings.data(inputs.logits().toString(), inputs.targetsName(), x.zerosAndOnesOnly(), t.min(), t.max(),
                    accs[0].anchors(), function.heatmap() ? 0 : accs[0].anchors(AnchorKind.IGNORED));
            if (lossFile != null) {
                lossFile.commit();
            }
            if (gradFile != null) {
                gradFile.commit();
            }
        }
        return new Evaluated(outType, accs, Optional.ofNullable(lossInMemory));
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
        if (function.heatmap() && (labels.given() || weightsSpec.get() != null)) {
            throw FocalException.usage("--loss " + function.cliName() + " takes logits and heatmap targets only;"
                    + " --labels and --weights belong to --loss sigmoid-focal");
        }
        checkSweep();
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
        // A sweep of one bundle writes its --table itself, a row per pair.
        many = bundleArguments().size() > 1 || inputs.get() != null || (table.get() != null && !sweep())
                || bundleArguments().stream().anyMatch(b -> Files.isDirectory(FileNames.path(b, FocalException.INPUT)));
        if (many) {
            checkMany();
            if (sweep() && table.get() == null) {
                throw FocalException.usage("a sweep over many dumps has a row per dump and (gamma, alpha) pair: give"
                        + " --table FILE (.csv, .jsonl or .json)");
            }
            if (sweep() && reportOptions.wanted()) {
                // A heatmap per dump, or one over dumps that share no grid, would not answer either question.
                throw FocalException.usage((reportOptions.report.get() != null ? "--report" : "--plots") + " draws"
                        + " either the trend across many dumps or the sweep of one bundle, not both: give one"
                        + " --gamma and --alpha for the trend, or one BUNDLE for its sweep");
            }
            reportOptions.refuseHeatmapOptions("many dumps");
        } else if (sweep()) {
            reportOptions.refuseHeatmapOptions("a sweep");
        }
        if (!many && failFast.get()) {
            throw FocalException.usage("--fail-fast applies to many dumps (several BUNDLEs, a folder, --inputs or"
                    + " --table)");
        }
        boolean hasBundle = !bundleArguments().isEmpty() || inputs.get() != null;
        labels.check(hasBundle);
        if (labels.given() && (targetsSpec.get() != null || weightsSpec.get() != null)) {
            throw FocalException.usage("--labels derives targets and weights; do not also give --targets or --weights");
        }
        if (logitsSpecs.find().map(List::size).orElse(0) > 1 && !labels.given()) {
            throw FocalException.usage("several --logits are the heads of a multi-head anchor head: give their"
                    + " labels with --labels FILE --num-classes C");
        }
        if (labels.given() && !hasBundle && logitsSpec() == null) {
            throw FocalException.usage("--labels needs --logits (or a BUNDLE holding the logits)");
        }
        if (!labels.given() && !hasBundle && (logitsSpec() == null || targetsSpec.get() == null)) {
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

    private static List<TensorRef> namedInputs(List<TensorRef> heads, TensorRef... others) {
        List<TensorRef> all = new ArrayList<>(heads);
        all.addAll(Arrays.asList(others));
        return all;
    }

    /**
     * The (gamma, alpha) pairs, and what a sweep refuses (exit 2): the per-element outputs and
     * --expect-stats, each of which holds one pair's figures.
     */
    private void checkSweep() {
        gammas = SweepValues.parse("--gamma", gammaText());
        alphas = SweepValues.parse("--alpha", alphaText());
        if ((long) gammas.length * alphas.length > SweepValues.MAX_VALUES) {
            throw FocalException.usage("--gamma and --alpha make " + (long) gammas.length * alphas.length
                    + " pairs; a sweep takes at most " + SweepValues.MAX_VALUES);
        }
        pairs.clear();
        for (double g : gammas) {
            for (double a : alphas) {
                pairs.add(new FocalEvaluation.Pair(g, a));
            }
        }
        if (!function.heatmap()) {
            warnings.options(gammas, alphas);
        }
        if (!sweep()) {
            if (sweepMetric.get() != null) {
                throw FocalException.usage("--sweep-metric chooses the figure of a sweep's grid; give --gamma or"
                        + " --alpha a list or a range");
            }
            return;
        }
        String[][] perPair = {
            {"--out", name(out.get())}, {"--grad-out", name(gradOut.get())}, {"--expect", checks.expectSpec.get()},
            {"--expect-stats", name(checks.expectStats.get())},
        };
        for (String[] option : perPair) {
            if (option[1] != null) {
                throw FocalException.usage(option[0] + " holds the figures of one (gamma, alpha) pair; it cannot apply"
                        + " to a sweep of " + pairs.size() + " pairs (--gamma " + gammaText() + " --alpha "
                        + alphaText() + ")");
            }
        }
        if (sweepMetric.get() != null) {
            SweepGrid.checkMetric(sweepMetric.get(), function);
        }
        if (table.get() != null) {
            DumpTable.format(table.get());
            AtomicFile.checkWritable(table.get());
        }
    }

    /** --gamma as given, else the loss's default. */
    private String gammaText() {
        return gamma.find().orElse(Numbers.format(function.defaultGamma()));
    }

    /** --alpha as given, else the loss's default. */
    private String alphaText() {
        return alpha.find().orElse(Numbers.format(function.defaultAlpha()));
    }

    private List<String> bundleArguments() {
        return bundles.find().orElse(List.of());
    }

    /**
     * The options a many-dumps eval cannot apply to each dump (exit 2): one output file, or one
     * reference, cannot serve every dump, nor one input file stand in each dump's place.
     */
    private void checkMany() {
        String[][] single = {
            {"--out", name(out.get())}, {"--grad-out", name(gradOut.get())}, {"--expect", checks.expectSpec.get()},
            {"--logits", logitsSpec()},
            {"--targets", targetsSpec.get()}, {"--weights", weightsSpec.get()}, {"--labels", labels.labelsSpec.get()},
            {"--write-targets", name(labels.writeTargets.get())}, {"--write-weights", name(labels.writeWeights.get())},
        };
        for (String[] option : single) {
            if (option[1] != null) {
                throw FocalException.usage(option[0] + " names one file for a single bundle; it cannot apply to"
                        + " many dumps (several BUNDLEs, a folder, --inputs or --table)");
            }
        }
        if (bundleArguments().isEmpty() && inputs.get() == null) {
            throw FocalException.usage("--table writes a row per dump: give the dumps (BUNDLE..., a folder, or --inputs)");
        }
        if (table.get() != null) {
            DumpTable.format(table.get());
            AtomicFile.checkWritable(table.get());
        }
    }

    private static String name(Path p) {
        return p == null ? null : p.toString();
    }

    /**
     * Refuses (exit 2), before any dump is read: a --table, --stats or --junit that names a dump;
     * an --expect-stats that is a file, not a folder of goldens; two dumps whose goldens would be one.
     */
    private void checkManyOutputs(List<String> dumps) {
        List<TensorRef> refs = new ArrayList<>();
        for (String d : dumps) {
            refs.add(TensorRef.parse(d));
        }
        OutputPaths.refuseClashes(Arrays.asList(table.get(), stats.get(), checks.junit.get()), refs);
        Path goldens = checks.expectStats.get();
        if (goldens == null) {
            return;
        }
        if (Files.exists(goldens) && !Files.isDirectory(goldens)) {
            throw FocalException.usage("--expect-stats " + goldens + ": with many dumps, name a folder of golden"
                    + " summaries (one per dump, DUMP.json), not a file");
        }
        Map<Path, String> byGolden = new HashMap<>();
        for (String d : dumps) {
            String other = byGolden.put(checks.golden(d), d);
            if (other != null) {
                throw FocalException.usage("--expect-stats: " + other + " and " + d + " would share the golden summary "
                        + checks.golden(d) + "; give dumps with distinct file names");
            }
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
     * The heads of a bundle whose logits are a list (AnchorHeadMulti's cls_preds with
     * SEPARATE_MULTIHEAD, saved by torch.save: members cls_preds/0, cls_preds/1, ...), in order;
     * empty when the bundle has a logits member of its own, or none.
     */
    private List<TensorRef> bundleHeads(OpenFiles files) {
        List<TensorRef> heads = new ArrayList<>();
        if (bundle == null) {
            return heads;
        }
        TensorRef ref = TensorRef.parse(bundle);
        List<String> keys = files.open(ref.file()).keys();
        if (Arrays.stream(LOGITS_KEYS).anyMatch(keys::contains)) {
            return heads;
        }
        for (String k : LOGITS_KEYS) {
            for (int i = 0; keys.contains(k + "/" + i); i++) {
                heads.add(ref.withKey(k + "/" + i));
            }
            if (!heads.isEmpty()) {
                break;
            }
        }
        return heads;
    }

    /**
     * The labels member of a bundle that holds labels and no targets (what a breakpoint in
     * OpenPCDet's get_cls_layer_loss dumps), switching to labels mode; else null.
     */
    private TensorRef bundleLabels(List<TensorRef> headRefs, TensorRef logitsRef, OpenFiles files) {
        if (bundle == null || targetsSpec.get() != null || function.heatmap()) {
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
        labels.fromBundle(member, classesHint(headRefs, logitsRef, files.read(member).count(), files));
        return member;
    }

    /**
     * The C a bundle's logits suggest, for the message that asks for --num-classes: values per
     * label; for a list of heads, their last axis when all share it, else its sum (0: none).
     */
    private static long classesHint(List<TensorRef> headRefs, TensorRef logitsRef, long perLabel, OpenFiles files) {
        if (headRefs.size() > 1) {
            Set<Long> lasts = new LinkedHashSet<>();
            long sum = 0;
            for (TensorRef h : headRefs) {
                Shape s = files.read(h).shape();
                long last = s.rank() == 0 ? 1 : s.dim(s.rank() - 1);
                lasts.add(last);
                sum += last;
            }
            return lasts.size() == 1 ? lasts.iterator().next() : sum;
        }
        long values = files.read(logitsRef).count();
        return perLabel > 0 && values % perLabel == 0 ? values / perLabel : 0;
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
