"""IoU, NMS, AP and mAP on hand-worked cases; the arithmetic is in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from reference.detection import (
    average_precision,
    box_iou,
    match_detections,
    mean_average_precision,
    non_max_suppression,
)

IOU_CASES = [
    # identical boxes
    ([0, 0, 4, 4], [0, 0, 4, 4], 1.0),
    # disjoint
    ([0, 0, 1, 1], [2, 2, 3, 3], 0.0),
    # touching edges: zero-area intersection
    ([0, 0, 1, 1], [1, 0, 2, 1], 0.0),
    # 4x4 and 2x2 inside it: 4 / 16
    ([0, 0, 4, 4], [1, 1, 3, 3], 0.25),
    # 2x2 squares offset by (1, 1): inter 1x1 = 1, union 4 + 4 - 1 = 7
    ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7),
    # 10x10 and 10x5 overlapping in 5x5: 25 / (100 + 50 - 25) = 0.2
    ([0, 0, 10, 10], [5, 5, 15, 10], 0.2),
    # fractional: 1.5x1 and 1x1 sharing 0.5x1: 0.5 / (1.5 + 1 - 0.5) = 0.25
    ([0.0, 0.0, 1.5, 1.0], [1.0, 0.0, 2.0, 1.0], 0.25),
]


@pytest.mark.parametrize(("a", "b", "expected"), IOU_CASES)
def test_iou(a: list[float], b: list[float], expected: float) -> None:
    assert box_iou(np.array([a]), np.array([b]))[0, 0] == pytest.approx(expected)
    assert box_iou(np.array([b]), np.array([a]))[0, 0] == pytest.approx(expected)  # symmetric


def test_iou_is_pairwise() -> None:
    ious = box_iou(np.array([[0, 0, 2, 2], [0, 0, 4, 4]]), np.array([[0, 0, 2, 2], [1, 1, 3, 3], [9, 9, 10, 10]]))
    assert ious.shape == (2, 3)
    np.testing.assert_allclose(ious, [[1, 1 / 7, 0], [0.25, 0.25, 0]])


NMS_CASES = [
    pytest.param(
        # A (0.9) and B (0.8) overlap: 10x10 vs 10x10 shifted by 1: inter 9x10=90, union 110, IoU 0.818 -> B
        # dropped. C (0.7) is far away and kept. Order: by score.
        [[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]],
        [0.9, 0.8, 0.7],
        0.5,
        None,
        [0, 2],
        id="two-clusters",
    ),
    pytest.param(
        # The highest score comes last in the input; kept first.
        [[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]],
        [0.6, 0.95, 0.7],
        0.5,
        None,
        [1, 2],
        id="order-by-score",
    ),
    pytest.param(
        # Chain: A-B IoU 0.818, B-C IoU 0.818, A-C: shift 2 -> 80/120 = 0.667. With threshold 0.7
        # A removes B only; C survives A (0.667 < 0.7) -> [A, C]. B never suppresses C since B is gone.
        [[0, 0, 10, 10], [1, 0, 11, 10], [2, 0, 12, 10]],
        [0.9, 0.8, 0.7],
        0.7,
        None,
        [0, 2],
        id="chain",
    ),
    pytest.param(
        # The notes' steps: discard scores <= 0.6 first, so only A (0.9) and C (0.65) compete;
        # C overlaps A at 90/100 = 0.9 and is dropped.
        [[0, 0, 10, 10], [50, 50, 60, 60], [0, 0, 10, 9]],
        [0.9, 0.6, 0.65],
        0.5,
        0.6,
        [0],
        id="score-threshold",
    ),
    pytest.param(
        # IoU exactly 0.5 (2x2 vs 2x1 inside it: 2/4) suppresses, as the notes' ">= 0.5".
        [[0, 0, 2, 2], [0, 0, 2, 1]],
        [0.9, 0.8],
        0.5,
        None,
        [0],
        id="iou-equal-threshold",
    ),
    pytest.param([], [], 0.5, None, [], id="empty"),
]


@pytest.mark.parametrize(("boxes", "scores", "iou_threshold", "score_threshold", "expected"), NMS_CASES)
def test_nms(
    boxes: list[list[float]],
    scores: list[float],
    iou_threshold: float,
    score_threshold: float | None,
    expected: list[int],
) -> None:
    kept = non_max_suppression(np.array(boxes), np.array(scores), iou_threshold, score_threshold)
    assert kept == expected


AP_CASES = [
    pytest.param([0.9, 0.8], [True, True], 2, 1.0, id="perfect"),
    pytest.param([0.9, 0.8], [False, False], 2, 0.0, id="all-wrong"),
    # Ranked T, F, T of 2 objects: P = 1, 1/2, 2/3 at R = 0.5, 0.5, 1. Envelope at R=0.5 is 1.
    # AP = 0.5 * 1 + 0.5 * 2/3 = 0.8333.
    pytest.param([0.9, 0.8, 0.7], [True, False, True], 2, 0.5 + 0.5 * 2 / 3, id="tft"),
    # Ranked F, T, T of 3 objects (third never found): P = 0, 1/2, 2/3 at R = 0, 1/3, 2/3.
    # The envelope lifts 1/2 to 2/3: AP = 1/3 * 2/3 + 1/3 * 2/3 = 4/9.
    pytest.param([0.9, 0.8, 0.7], [False, True, True], 3, 4 / 9, id="missed-object"),
    # Scores unsorted in the input; sorted they read T (0.9), F (0.5), T (0.3), F (0.1) of 4 objects:
    # R steps 0.25 at P = 1 and 0.25 at P = 2/3: AP = 0.25 + 0.25 * 2/3 = 0.4167.
    pytest.param([0.3, 0.9, 0.1, 0.5], [True, True, False, False], 4, 0.25 + 0.25 * 2 / 3, id="unsorted"),
    pytest.param([], [], 3, 0.0, id="no-detections"),
]


@pytest.mark.parametrize(("scores", "hits", "n_gt", "expected"), AP_CASES)
def test_average_precision(scores: list[float], hits: list[bool], n_gt: int, expected: float) -> None:
    assert average_precision(np.array(scores), np.array(hits, dtype=bool), n_gt) == pytest.approx(expected)


def test_matching_marks_duplicates_and_low_overlap_as_false_positives() -> None:
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]])
    preds = np.array(
        [
            [0, 0, 10, 10],  # 0.7: IoU 1 with object 0, but 0.9 claims it first -> duplicate
            [1, 0, 11, 10],  # 0.9: IoU 0.818 with object 0 -> TP
            [20, 20, 25, 25],  # 0.8: IoU 25/100 = 0.25 with object 1 -> FP
        ]
    )
    hits = match_detections(preds, np.array([0.7, 0.9, 0.8]), gt)
    assert hits.tolist() == [False, True, False]


def test_mean_average_precision_over_two_images_and_classes() -> None:
    # Class 1: objects in image A (box a) and image B (box b). Detections pooled over images:
    #   0.9 on a (TP), 0.8 in image B far from b (FP), 0.6 on b (TP).
    #   Ranked T, F, T of 2 objects: AP = 0.5 * 1 + 0.5 * 2/3 = 5/6.
    # Class 2: one object in image B, one detection of it at IoU 0.818 (TP) -> AP = 1.
    # Class 3: only predicted, never in the ground truth -> left out. mAP = (5/6 + 1) / 2 = 11/12.
    predictions = [
        {
            "boxes": np.array([[0, 0, 10, 10], [40, 40, 50, 50]]),
            "scores": np.array([0.9, 0.5]),
            "labels": np.array([1, 3]),
        },
        {
            "boxes": np.array([[70, 70, 80, 80], [20, 20, 30, 30], [1, 0, 11, 10]]),
            "scores": np.array([0.8, 0.6, 0.7]),
            "labels": np.array([1, 1, 2]),
        },
    ]
    ground_truths = [
        {"boxes": np.array([[0, 0, 10, 10]]), "labels": np.array([1])},
        {"boxes": np.array([[20, 20, 30, 30], [0, 0, 10, 10]]), "labels": np.array([1, 2])},
    ]
    mean, per_class = mean_average_precision(predictions, ground_truths)
    assert per_class == {1: pytest.approx(5 / 6), 2: pytest.approx(1.0)}
    assert mean == pytest.approx(11 / 12)


def test_stricter_iou_threshold_turns_a_loose_hit_into_a_miss() -> None:
    # The only detection overlaps its object at IoU 0.818: a hit at 0.5, a miss at 0.9 -> AP 1 then 0.
    predictions = [{"boxes": np.array([[1, 0, 11, 10]]), "scores": np.array([0.9]), "labels": np.array([0])}]
    ground_truths = [{"boxes": np.array([[0, 0, 10, 10]]), "labels": np.array([0])}]
    assert mean_average_precision(predictions, ground_truths, 0.5)[0] == 1.0
    assert mean_average_precision(predictions, ground_truths, 0.9)[0] == 0.0
