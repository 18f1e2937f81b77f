package dev.focal.cli;

import static dev.focal.cli.CommandModel.option;
import static dev.focal.cli.CommandModel.value;

import dev.focal.FocalException;
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
    String labelsSpec;
    Integer numClasses;
    String normalize;
    String background;
    Float posWeight;
    Float negWeight;
    Path writeTargets;
    Path writeWeights;

    /** Adds the options to {@code spec}. */
    LabelOptions(CommandSpec spec) {
        this.spec = spec;
        option(spec, "--labels", "FILE", String.class, null,
                "OpenPCDet anchor labels (B, A) (box_cls_labels) or point labels (N,): negative = ignored,"
                        + " 0 = background, 1..C = class. Targets and weights are derived from them (not with --targets/--weights).");
        option(spec, "--num-classes", "C", Integer.class, null, "Number of classes C (required with --labels).");
        option(spec, "--normalize", "MODE", String.class, "per-sample",
                "With --labels: divide weights by max(positives, 1) per sample (per-sample: anchor head,"
                        + " default), over the batch (batch: point head, TransFusion), or not (none).");
        option(spec, "--background", "WHERE", String.class, "first",
                "With --labels: first (OpenPCDet: 0 = background, classes 1..C, default) or last"
                        + " (TransFusion, mmdet: C = background, classes 0..C-1).");
        option(spec, "--pos-weight", "P", Float.class, null, "With --labels: weight of positive anchors before"
                + " normalising (multi-head pos_cls_weight; default 1.0).");
        option(spec, "--neg-weight", "N", Float.class, null, "With --labels: weight of negative anchors before"
                + " normalising (multi-head neg_cls_weight; default 1.0).");
        option(spec, "--write-targets", "FILE", Path.class, null,
                "With --labels: write the derived one-hot targets to FILE (.npy or .json).");
        option(spec, "--write-weights", "FILE", Path.class, null,
                "With --labels: write the derived weights to FILE (.npy or .json).");
    }

    /** The parsed values into the fields. */
    void read() {
        labelsSpec = value(spec, "--labels");
        numClasses = value(spec, "--num-classes");
        normalize = value(spec, "--normalize");
        background = value(spec, "--background");
        posWeight = value(spec, "--pos-weight");
        negWeight = value(spec, "--neg-weight");
        writeTargets = value(spec, "--write-targets");
        writeWeights = value(spec, "--write-weights");
    }

    /** The members that make a bundle a labels-mode bundle: the anchor head's, the point head's, TransFusion's. */
    static final List<String> LABELS_KEYS = List.of("box_cls_labels", "point_cls_labels", "labels");

    boolean given() {
        return labelsSpec != null;
    }

    /** The labels' file, or null without --labels. */
    TensorRef ref() {
        return labelsSpec == null ? null : TensorRef.parse(labelsSpec);
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
        String labelOnly = numClasses != null ? "--num-classes" : posWeight != null ? "--pos-weight"
                : negWeight != null ? "--neg-weight" : writeTargets != null ? "--write-targets"
                : writeWeights != null ? "--write-weights" : null;
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
        labelsSpec = member.toString();
        if (numClasses == null) {
            throw FocalException.usage(member.file() + " holds labels (" + member.key() + "): give --num-classes C"
                    + (fit > 0 ? "; its logits hold " + fit + " values per label, so C = " + fit
                            : "; its logits do not hold a whole number of values per label"));
        }
        checkLabelsMode("a bundle's labels");
    }

    private void checkLabelsMode(String source) {
        if (numClasses == null || numClasses < 1) {
            throw FocalException.usage(source + " needs --num-classes C (1 or more)");
        }
        background();
        normalization();
        for (Path p : new Path[] {writeTargets, writeWeights}) {
            if (p != null) {
                TensorIO.checkOutput(p);
            }
        }
    }

    HeadLabels derive(Tensor labels) {
        return HeadLabels.derive(labels, labelsSpec, numClasses, background(), normalization(),
                posWeight == null ? 1f : posWeight, negWeight == null ? 1f : negWeight);
    }

    /** --write-targets and --write-weights, made again from the labels as they are written. */
    void writeDerived(HeadLabels head) {
        try (OutputFile targets = writeTargets == null ? null
                     : OutputFile.create(writeTargets, DType.FLOAT32, head.result.targetsShape());
             OutputFile weights = writeWeights == null ? null
                     : OutputFile.create(writeWeights, DType.FLOAT32, head.result.weightsShape())) {
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
        switch (background) {
            case "first": return LabelTargets.Background.FIRST;
            case "last": return LabelTargets.Background.LAST;
            default: throw FocalException.usage("--background must be first or last, not '" + background + "'");
        }
    }

    private LabelTargets.Normalize normalization() {
        switch (normalize) {
            case "per-sample": return LabelTargets.Normalize.PER_SAMPLE;
            case "batch": return LabelTargets.Normalize.BATCH;
            case "none": return LabelTargets.Normalize.NONE;
            default: throw FocalException.usage("--normalize must be per-sample, batch or none, not '" + normalize + "'");
        }
    }
}
