package dev.focal.cli;

import dev.focal.head.LabelTargets;
import dev.focal.head.MultiHead;
import dev.focal.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/** The labels mode of one eval run: the settings as the user gave them, and what they derived. */
final class HeadLabels {
    final String labelsName;
    final int classes;
    final LabelTargets.Background background;
    final LabelTargets.Normalize normalize;
    final float posWeight;
    final float negWeight;
    final LabelTargets result;
    private final Tensor labels;
    /** The heads of a multi-head anchor head, when several --logits were given. */
    private MultiHead multi;

    private HeadLabels(Tensor labels, String labelsName, int classes, LabelTargets.Background background,
                       LabelTargets.Normalize normalize, float posWeight, float negWeight, LabelTargets result) {
        this.labels = labels;
        this.labelsName = labelsName;
        this.classes = classes;
        this.background = background;
        this.normalize = normalize;
        this.posWeight = posWeight;
        this.negWeight = negWeight;
        this.result = result;
    }

    static HeadLabels derive(Tensor labels, String name, int classes, LabelTargets.Background background,
                             LabelTargets.Normalize normalize, float posWeight, float negWeight) {
        return new HeadLabels(labels, name, classes, background, normalize, posWeight, negWeight,
                LabelTargets.derive(labels, name, classes, background, normalize, posWeight, negWeight));
    }

    Tensor reshapeLogits(Tensor logits, String logitsName) {
        return LabelTargets.reshapeLogits(logits, logitsName, labels.shape(), classes);
    }

    /** Lays out a multi-head's logits (docs/semantics.md#multi-head-anchor-heads) and returns its (B, A, C) logits. */
    Tensor multiHead(List<Tensor> heads, List<String> names) {
        // A quarter of the heap for the laid-out logits, in the widest dtype they may take.
        multi = MultiHead.of(heads, names, labels.shape(), classes, Runtime.getRuntime().maxMemory() / 4 / Double.BYTES);
        if (multi.separate) {
            result.separateHeads(multi.heads);
        }
        return multi.logits;
    }

    Optional<MultiHead> multi() {
        return Optional.ofNullable(multi);
    }

    String backgroundName() {
        return background == LabelTargets.Background.FIRST ? "first" : "last";
    }

    String normalizeName() {
        switch (normalize) {
            case PER_SAMPLE: return "per-sample";
            case BATCH: return "batch";
            default: return "none";
        }
    }
}
