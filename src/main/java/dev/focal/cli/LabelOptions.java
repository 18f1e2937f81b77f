package dev.focal.cli;

import static dev.focal.cli.CommandModel.option;

import dev.focal.FocalException;
import dev.focal.cli.CommandModel.Arg;
import dev.focal.head.LabelTargets;
import dev.focal.io.OutputFile;
import dev.focal.io.TensorIO;
import dev.focal.io.TensorRef;
import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** eval's labels mode: OpenPCDet's anchor or point labels in place of targets and weights. */
final class LabelOptions {
    private final CommandSpec spec;
    final Arg<String> labelsSpec;
    /** The labels member of a bundle, when the labels come from there rather than from --labels. */
    private TensorRef fromBundle;
    final Arg<Integer> numClasses;
    final Arg<String> normalize;
    final Arg<String> background;
    final Arg<Float> posWeight;
    final Arg<Float> negWeight;
    final Arg<Path> writeTargets;
    final Arg<Path> writeWeights;

    /** Adds the options to {@code spec}. */
    LabelOptions(CommandSpec spec) {
        this.spec = spec;
        labelsSpec = option(spec, "--labels", "FILE", String.class, null,
                "OpenPCDet anchor labels (B, A) (box_cls_labels) or point labels (N,): negative = ignored,"
                        + " 0 = background, 1..C = class. Targets and weights are derived from them (not with --targets/--weights).");
        numClasses = option(spec, "--num-classes", "C", Integer.class, null, "Number of classes C (required with --labels).");
        normalize = option(spec, "--normalize", "MODE", String.class, "per-sample",
                "With --labels: divide weights by max(positives, 1) per sample (per-sample: anchor head,"
                        + " default), over the batch (batch: point head, TransFusion), or not (none).");
        background = option(spec, "--background", "WHERE", String.class, "first",
                "With --labels: first (OpenPCDet: 0 = background, classes 1..C, default) or last"
                        + " (TransFusion, mmdet: C = background, classes 0..C-1).");
        posWeight = option(spec, "--pos-weight", "P", Float.class, null, "With --labels: weight of positive anchors before"
                + " normalising (multi-head pos_cls_weight; default 1.0).");
        negWeight = option(spec, "--neg-weight", "N", Float.class, null, "With --labels: weight of negative anchors before"
                + " normalising (multi-head neg_cls_weight; default 1.0).");
        writeTargets = option(spec, "--write-targets", "FILE", Path.class, null,
                "With --labels: write the derived one-hot targets to FILE (.npy or .json).");
        writeWeights = option(spec, "--write-weights", "FILE", Path.class, null,
                "With --labels: write the derived weights to FILE (.npy or .json).");
    }


    /** The members that make a bundle a labels-mode bundle: the anchor head's, the point head's, TransFusion's. */
    static final List<String> LABELS_KEYS = List.of("box_cls_labels", "point_cls_labels", "labels");

    boolean given() {
        return labelsSpec.get() != null;
    }

    /** The labels' file, or null without --labels. */
    TensorRef ref() {
        return labelsSpec.get() == null ? null : TensorRef.parse(labelsSpec.get());
    }

    /**
     * Usage errors (exit 2), before any work. With a bundle, whether it holds labels is only known
     * once it is open: {@link #fromBundle} or {@link #refuseWithoutLabels} finish the checks then.
     */
    void check(boolean bundle) {
        if (!given()) {
            if (!bundle) {
                refuseWithoutLabels();
            }
            return;
        }
        checkLabelsMode("--labels");
    }

    /** Options of labels mode given without labels. */
    void refuseWithoutLabels() {
        String labelOnly = numClasses.get() != null ? "--num-classes" : posWeight.get() != null ? "--pos-weight"
                : negWeight.get() != null ? "--neg-weight" : writeTargets.get() != null ? "--write-targets"
                : writeWeights.get() != null ? "--write-weights" : null;
        if (labelOnly != null) {
            throw FocalException.usage(labelOnly + " only applies with --labels, or a BUNDLE holding labels ("
                    + String.join(", ", LABELS_KEYS) + ")");
        }
    }

    /**
     * Labels mode from a bundle's member (OpenPCDet's {@code cls_preds} beside
     * {@code box_cls_labels}); {@code fit} is the number of classes its logits hold per label,
     * or 0 when they hold no whole number, for the message when --num-classes is missing.
     */
    void fromBundle(TensorRef member, long fit) {
        fromBundle = member;
        if (numClasses.get() == null) {
            throw FocalException.usage(member.file() + " holds labels (" + member.key() + "): give --num-classes C"
                    + (fit > 0 ? "; its logits hold " + fit + " values per label, so C = " + fit
                            : "; its logits do not hold a whole number of values per label"));
        }
        checkLabelsMode("a bundle's labels");
    }

    private void checkLabelsMode(String source) {
        if (numClasses.get() == null || numClasses.get() < 1) {
            throw FocalException.usage(source + " needs --num-classes C (1 or more)");
        }
        background();
        normalization();
        for (Path p : new Path[] {writeTargets.get(), writeWeights.get()}) {
            if (p != null) {
                TensorIO.checkOutput(p);
            }
        }
    }

    HeadLabels derive(Tensor labels) {
        String name = fromBundle != null ? fromBundle.toString() : labelsSpec.get();
        return HeadLabels.derive(labels, name, numClasses.get(), background(), normalization(),
                posWeight.get() == null ? 1f : posWeight.get(), negWeight.get() == null ? 1f : negWeight.get());
    }

    /** --write-targets and --write-weights, made again from the labels as they are written. */
    void writeDerived(HeadLabels head) {
        try (OutputFile targets = writeTargets.get() == null ? null
                     : OutputFile.create(writeTargets.get(), DType.FLOAT32, head.result.targetsShape());
             OutputFile weights = writeWeights.get() == null ? null
                     : OutputFile.create(writeWeights.get(), DType.FLOAT32, head.result.weightsShape())) {
            head.result.write(targets, weights);
            if (targets != null) {
                targets.commit();
            }
            if (weights != null) {
                weights.commit();
            }
        }
    }

    private LabelTargets.Background background() {
        switch (background.get()) {
            case "first": return LabelTargets.Background.FIRST;
            case "last": return LabelTargets.Background.LAST;
            default: throw FocalException.usage("--background must be first or last, not '" + background.get() + "'");
        }
    }

    private LabelTargets.Normalize normalization() {
        switch (normalize.get()) {
            case "per-sample": return LabelTargets.Normalize.PER_SAMPLE;
            case "batch": return LabelTargets.Normalize.BATCH;
            case "none": return LabelTargets.Normalize.NONE;
            default: throw FocalException.usage("--normalize must be per-sample, batch or none, not '" + normalize.get() + "'");
        }
    }
}
