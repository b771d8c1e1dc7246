"""Object detection evaluation: IoU, non-max suppression, average precision and mAP.

Boxes are (x1, y1, x2, y2) corners with x2 > x1 and y2 > y1, in continuous coordinates (no +1 pixel).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Pairwise intersection over union, (N, 4) x (M, 4) -> (N, M).

    Notes: 001 flashcard "Intersection over union" ("= size of intersection between ground truth box and
    prediction box / size of union of both").

    Two 2x2 squares offset by 1 in x overlap in a 1x2 strip: IoU = 2 / (4 + 4 - 2) = 1/3.

    >>> box_iou(np.array([[0, 0, 2, 2]]), np.array([[1, 0, 3, 2], [5, 5, 6, 6]])).round(4)
    array([[0.3333, 0.    ]])
    """
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    intersection = np.clip(bottom_right - top_left, 0, None).prod(axis=2)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return intersection / (area_a[:, None] + area_b[None, :] - intersection)


def non_max_suppression(
    boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.5, score_threshold: float | None = None
) -> list[int]:
    """Greedy NMS: keep the most confident box, drop boxes overlapping it, repeat. Returns kept indices.

    Notes: 001 flashcard "Non max suppression" ("discard all boxes with probability of object <= 0.6",
    "Pick the box with the largest probability", "Discard any remaining box with IOU >= 0.5 with the
    box output in prev step"). Following the notes, an IoU equal to the threshold suppresses
    (torchvision suppresses only above it); the result is in decreasing score order.

    >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]])
    >>> non_max_suppression(boxes, np.array([0.9, 0.8, 0.7]))
    [0, 2]
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64)
    candidates = np.argsort(-scores, kind="stable")
    if score_threshold is not None:
        candidates = candidates[scores[candidates] > score_threshold]
    keep: list[int] = []
    while candidates.size:
        best, rest = candidates[0], candidates[1:]
        keep.append(int(best))
        candidates = rest[box_iou(boxes[best], boxes[rest])[0] < iou_threshold]
    return keep


def average_precision(scores: np.ndarray, is_true_positive: np.ndarray, n_ground_truth: int) -> float:
    """Area under the precision-recall curve with all-point interpolation (PASCAL VOC 2010 onwards).

    Notes: 002 "Evaluating Object Detection Methods" ("Precision and recall are computed from the
    predictions and the ground truth"). Detections are ranked by score; each prefix of the ranking
    gives one (recall, precision) point; precision is replaced by the best precision at any higher
    recall (so the curve never rises), then summed over the recall steps.

    Ranked hits T, F, T with 2 objects: points (0.5, 1), (0.5, 0.5), (1, 2/3); AP = 0.5*1 + 0.5*2/3.

    >>> round(average_precision(np.array([0.9, 0.8, 0.7]), np.array([True, False, True]), 2), 4)
    0.8333
    """
    if n_ground_truth == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = np.asarray(is_true_positive, dtype=bool)[order]
    true_positives = np.cumsum(hits)
    recall = true_positives / n_ground_truth
    precision = true_positives / np.arange(1, len(hits) + 1)
    # The envelope: best precision at this recall or any higher one.
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    recall_steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(recall_steps * envelope))


def match_detections(
    pred_boxes: np.ndarray, pred_scores: np.ndarray, gt_boxes: np.ndarray, iou_threshold: float = 0.5
) -> np.ndarray:
    """Mark each detection of one class in one image as a true positive or not.

    Notes: 001 flashcard "Intersection over union" ("If IOU>= 0.5 then prediction is correct").
    Detections claim objects in decreasing score order, each the object it overlaps most (as in PASCAL
    VOC); an object already claimed makes a later detection of it a false positive (a duplicate).

    >>> same_box = [[0, 0, 2, 2]]
    >>> match_detections(np.array(same_box * 2), np.array([0.6, 0.9]), np.array(same_box))
    array([False,  True])
    """
    pred_boxes = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4)
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    hits = np.zeros(len(pred_boxes), dtype=bool)
    if len(gt_boxes) == 0:
        return hits
    ious = box_iou(pred_boxes, gt_boxes)
    claimed = np.zeros(len(gt_boxes), dtype=bool)
    for i in np.argsort(-np.asarray(pred_scores, dtype=np.float64), kind="stable"):
        best = int(np.argmax(ious[i]))
        if ious[i, best] >= iou_threshold and not claimed[best]:
            hits[i] = claimed[best] = True
    return hits


def mean_average_precision(
    predictions: Sequence[dict[str, np.ndarray]],
    ground_truths: Sequence[dict[str, np.ndarray]],
    iou_threshold: float = 0.5,
) -> tuple[float, dict[int, float]]:
    """mAP: the mean over classes of AP, detections pooled over all images. Returns (mAP, AP per class).

    Notes: 002 "Evaluating Object Detection Methods" ("Object detection algorithms are evaluated using
    the mean of Average Precision (mAP) across all classes in the dataset"). One dict per image:
    predictions have "boxes" (N, 4), "scores" (N,), "labels" (N,); ground truths "boxes" and
    "labels". Classes without any ground-truth object are left out of the mean.

    >>> pred = [{"boxes": np.array([[0, 0, 2, 2]]), "scores": np.array([0.9]), "labels": np.array([1])}]
    >>> gt = [{"boxes": np.array([[0, 0, 2, 2], [5, 5, 7, 7]]), "labels": np.array([1, 2])}]
    >>> mean_average_precision(pred, gt)
    (0.5, {1: 1.0, 2: 0.0})
    """
    classes = sorted({int(c) for g in ground_truths for c in np.asarray(g["labels"]).reshape(-1)})
    per_class: dict[int, float] = {}
    for cls in classes:
        scores, hits, n_objects = [], [], 0
        for pred, gt in zip(predictions, ground_truths, strict=True):
            pred_mask = np.asarray(pred["labels"]).reshape(-1) == cls
            gt_mask = np.asarray(gt["labels"]).reshape(-1) == cls
            gt_boxes = np.asarray(gt["boxes"]).reshape(-1, 4)[gt_mask]
            pred_boxes = np.asarray(pred["boxes"]).reshape(-1, 4)[pred_mask]
            pred_scores = np.asarray(pred["scores"]).reshape(-1)[pred_mask]
            n_objects += len(gt_boxes)
            scores.append(pred_scores)
            hits.append(match_detections(pred_boxes, pred_scores, gt_boxes, iou_threshold))
        per_class[cls] = average_precision(np.concatenate(scores), np.concatenate(hits), n_objects)
    mean = float(np.mean(list(per_class.values()))) if per_class else 0.0
    return mean, per_class
