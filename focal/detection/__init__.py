"""Dense detection in miniature: where focal loss was born (Lin et al. 2017, section 4).

One module per stage, as a one-stage detector runs:

- ``assignment``: anchors for one feature level, box IoU, and the paper's anchor
  assignment (IoU >= 0.5 positive, < 0.4 negative, ignored between).
- ``canvases``: images of scaled-up handwritten digits with exact boxes, clutter and noise.
- ``model``: per-anchor targets (``encode``), a classification-only RetinaNet with the prior
  bias (``tiny_retina``) and its loss, FL over counted pairs / positive anchors
  (``AnchorFocalLoss``, with online hard example mining as the baseline).
- ``evaluation``: NMS, decoding ranked by logit (``detect``), COCO AP and anchor AP.

>>> from focal.detection import anchors, assign
>>> state = assign(anchors(16, 8, sizes=(8.0,), ratios=(1.0,)), [[0, 0, 8, 8]], [3], 10)[1]
>>> state.tolist()
[1, 0, 0, 0]
"""

from focal.detection.assignment import IGNORED, NEGATIVE, POSITIVE, anchors, assign, box_iou
from focal.detection.canvases import DetectionSplit, load_detection_digits
from focal.detection.evaluation import anchor_ap, coco_ap, detect, nms
from focal.detection.model import AnchorFocalLoss, encode, tiny_retina

__all__ = [
    "IGNORED",
    "NEGATIVE",
    "POSITIVE",
    "AnchorFocalLoss",
    "DetectionSplit",
    "anchor_ap",
    "anchors",
    "assign",
    "box_iou",
    "coco_ap",
    "detect",
    "encode",
    "load_detection_digits",
    "nms",
    "tiny_retina",
]
