#!/usr/bin/env python3
"""Checks a YOLO dataset `seer autolabel` wrote with Ultralytics' own loader: its dataset check
on data.yaml, then every split's labels read as a training run would, with the counts printed.

    check_ultralytics_dataset.py DATASET [detect|segment]

Needs ultralytics and torch, which the test suite does not install (torch is large); run it by
hand in a virtualenv: `python3 -m venv .venv-ultralytics && .venv-ultralytics/bin/pip install
torch==2.13.0+cpu ultralytics==8.4.190`. Exits non-zero when Ultralytics rejects the dataset.
"""
import os
import sys

os.environ.setdefault("YOLO_OFFLINE", "1")

from ultralytics.data import YOLODataset  # noqa: E402
from ultralytics.data.utils import check_det_dataset  # noqa: E402


def main():
    root = sys.argv[1]
    task = sys.argv[2] if len(sys.argv) > 2 else "detect"
    data = check_det_dataset(os.path.join(root, "data.yaml"), autodownload=False)
    print(f"data.yaml: nc {data['nc']}, names {data['names']}")
    for split in ("train", "val"):
        if not any(os.scandir(data[split])):
            print(f"{split}: no images")
            continue
        labels = YOLODataset(img_path=data[split], data=data, task=task, augment=False).get_labels()
        objects = sum(len(label["cls"]) for label in labels)
        segments = sum(len(label["segments"]) for label in labels)
        print(f"{split}: {len(labels)} images, {objects} objects, {segments} outlines")


if __name__ == "__main__":
    main()
