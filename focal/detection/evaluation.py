"""Dense detection in miniature, evaluation: from logits to detections, and how to score them.

- ``nms``: greedy non-maximum suppression, the step every detector ends with.
- ``detect``: RetinaNet's decoding (sec. 4, "Inference"): per image keep the pairs above a
  score threshold (at most ``pre_nms`` of them), suppress per class, keep ``max_detections``.
  Pairs are ranked by their **logits**: in float32 sigmoid rounds every logit above ~16.6
  to exactly 1.0, and the ties would scramble the ranking of the most confident outputs.
- ``coco_ap``: AP@[.5:.95] and AP@.5 from ``pycocotools``' ``COCOeval``.
- ``anchor_ap``: the classifier's own AP over every counted (anchor, class) pair, with
  scikit-learn; it needs no NMS and no boxes.
"""

from focal import validation
from focal.detection.assignment import box_iou

import contextlib
import io

import numpy as np
from sklearn.metrics import average_precision_score


def nms(boxes, scores, threshold=0.5):
    """Indices of the boxes kept by greedy NMS, best score first.

    Take the highest-scoring box, drop every remaining box whose IoU with it exceeds
    ``threshold``, repeat. Equal scores keep their input order (a stable sort).

    >>> nms([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]], [0.9, 0.8, 0.7]).tolist()
    [0, 2]
    """
    threshold = validation.number("threshold", threshold, 0.0, 1.0)
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    iou = box_iou(boxes, boxes)
    order = np.argsort(-scores, kind="stable")
    alive = np.ones(len(scores), dtype=bool)
    keep = []
    for i in order:
        if alive[i]:
            keep.append(i)
            alive &= iou[i] <= threshold
    return np.array(keep, dtype=np.int64)


def detect(logits, anchor_boxes, score=0.05, pre_nms=1000, nms_threshold=0.5, max_detections=100):
    """Per image, a list of ``(boxes (k, 4), classes (k,), logits (k,))``, best first.

    ``logits`` is (N, A, C) (or one image's (A, C)); ``score`` is a probability, compared
    through its logit.
    """
    logits = np.asarray(logits)
    if logits.ndim == 2:
        logits = logits[None]
    score = validation.number("score", score, 0.0, 1.0)
    if score in (0.0, 1.0):
        raise ValueError(f"`score` must be strictly between 0 and 1, got {score}.")
    pre_nms = validation.integer("pre_nms", pre_nms)
    max_detections = validation.integer("max_detections", max_detections)
    anchor_boxes = np.asarray(anchor_boxes, dtype=np.float64)
    cut = np.log(score) - np.log1p(-score)
    results = []
    for image in logits:
        anchor, cls = np.nonzero(image > cut)
        values = image[anchor, cls]
        top = np.argsort(-values, kind="stable")[:pre_nms]
        anchor, cls, values = anchor[top], cls[top], values[top]
        kept = []
        for c in np.unique(cls):
            members = np.flatnonzero(cls == c)
            kept.extend(members[nms(anchor_boxes[anchor[members]], values[members], nms_threshold)])
        kept = np.array(kept, dtype=np.int64)
        kept = kept[np.argsort(-values[kept], kind="stable")][:max_detections]
        results.append((anchor_boxes[anchor[kept]], cls[kept], values[kept]))
    return results


def coco_ap(detections, gt_boxes, gt_labels):
    """``{"ap": AP@[.5:.95], "ap50": AP@.5}`` of ``detect``'s output, by ``COCOeval``.

    ``gt_boxes``, ``gt_labels``: per image, (k, 4) ``[x0, y0, x1, y1]`` and (k,) classes.
    COCO's rules: 101-point interpolated precision, averaged over classes that have objects.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    if len(detections) != len(gt_boxes):
        raise ValueError(f"{len(detections)} images of detections for {len(gt_boxes)} of truth.")
    images, annotations, results = [], [], []
    classes = sorted({int(c) for labels in gt_labels for c in labels})
    for i, (boxes, labels) in enumerate(zip(gt_boxes, gt_labels, strict=True)):
        images.append({"id": i})
        for box, label in zip(np.asarray(boxes, dtype=float), labels, strict=True):
            width, height = box[2] - box[0], box[3] - box[1]
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": i,
                    "category_id": int(label),
                    "bbox": [box[0], box[1], width, height],
                    "area": width * height,
                    "iscrowd": 0,
                }
            )
        for box, label, value in zip(*detections[i], strict=True):
            results.append(
                {
                    "image_id": i,
                    "category_id": int(label),
                    "bbox": [box[0], box[1], box[2] - box[0], box[3] - box[1]],
                    "score": float(value),
                }
            )
    with contextlib.redirect_stdout(io.StringIO()):  # COCO prints progress and a table
        truth = COCO()
        truth.dataset = {
            "images": images,
            "annotations": annotations,
            "categories": [{"id": c} for c in classes],
        }
        truth.createIndex()
        if not results:
            return {"ap": 0.0, "ap50": 0.0}
        evaluation = COCOeval(truth, truth.loadRes(results), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return {"ap": float(evaluation.stats[0]), "ap50": float(evaluation.stats[1])}


def anchor_ap(logits, encoded):
    """AP over every counted (anchor, class) pair, pooled over images and classes.

    ``encoded`` is ``model.encode``'s (N, A, C + 1) array; ignored anchors drop out.
    """
    logits = np.asarray(logits)
    encoded = np.asarray(encoded)
    counted = encoded[..., -1] > 0
    truth = encoded[..., :-1][counted].ravel()
    return float(average_precision_score(truth, logits[counted].ravel()))
