#!/usr/bin/env python3
"""Reads a dataset `seer autolabel` wrote with the tools its users read it with, and prints
what they see as one JSON object, for the autolabel tests to compare with what Seer printed.

    read_dataset.py yolo DATASET   supervision's DetectionDataset.from_yolo, per split
    read_dataset.py coco DATASET   supervision's DetectionDataset.from_coco and pycocotools' COCO, per split

Output: {"READER/SPLIT": {"classes": [...], "images": {FILE_NAME: [{"class", "class_id", "xyxy",
"mask"}]}}}, "mask" being the COCO compressed RLE of the reader's mask (null without one).
Run it with the interpreter of .venv-supervision (scripts/setup.sh makes it).
"""
import contextlib
import json
import os
import sys

import numpy as np
import supervision as sv
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

SPLITS = ("train", "valid")


def rle(mask):
    """A bool mask (H, W) as COCO compressed RLE counts."""
    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode()


def from_supervision(dataset):
    images = {}
    for path, _, detections in dataset:
        objects = []
        for i in range(len(detections)):
            class_id = int(detections.class_id[i])
            objects.append({
                "class": dataset.classes[class_id],
                "class_id": class_id,
                "xyxy": [float(v) for v in detections.xyxy[i]],
                "mask": rle(detections.mask[i]) if detections.mask is not None else None,
            })
        images[os.path.basename(path)] = objects
    return {"classes": list(dataset.classes), "images": images}


def from_pycocotools(annotations_path):
    with contextlib.redirect_stdout(sys.stderr):  # COCO() reports its loading on stdout
        coco = COCO(annotations_path)
    categories = sorted(coco.cats.values(), key=lambda c: c["id"])
    index = {c["id"]: i for i, c in enumerate(categories)}
    images = {}
    for image_id, image in coco.imgs.items():
        objects = []
        for annotation in coco.loadAnns(coco.getAnnIds(imgIds=[image_id])):
            x, y, w, h = annotation["bbox"]
            has_mask = bool(annotation.get("segmentation"))
            objects.append({
                "class": coco.cats[annotation["category_id"]]["name"],
                "class_id": index[annotation["category_id"]],
                "xyxy": [x, y, x + w, y + h],
                "mask": coco.annToRLE(annotation)["counts"].decode() if has_mask else None,
            })
        images[image["file_name"]] = objects
    return {"classes": [c["name"] for c in categories], "images": images}


def main():
    kind, root = sys.argv[1], sys.argv[2]
    out = {}
    for split in SPLITS:
        if kind == "yolo":
            dataset = sv.DetectionDataset.from_yolo(
                images_directory_path=os.path.join(root, split, "images"),
                annotations_directory_path=os.path.join(root, split, "labels"),
                data_yaml_path=os.path.join(root, "data.yaml"))
            out[f"supervision/{split}"] = from_supervision(dataset)
        else:
            annotations = os.path.join(root, split, "_annotations.coco.json")
            dataset = sv.DetectionDataset.from_coco(
                images_directory_path=os.path.join(root, split), annotations_path=annotations)
            out[f"supervision/{split}"] = from_supervision(dataset)
            out[f"pycocotools/{split}"] = from_pycocotools(annotations)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
