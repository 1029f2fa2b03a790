#!/usr/bin/env python3
"""The reference for Seer's linear probe: scikit-learn's LogisticRegression (lbfgs,
multinomial, L2) on scikit-learn's digits, split 75/25 with a fixed seed.

    sklearn_probe_reference.py OUT.json [C]

Writes {"train": {"features", "labels"}, "test": {...}, "C", "accuracy", "seconds"}: features
as rows scaled to [0, 1] (pixel / 16), accuracy on the test rows.
"""
import json
import sys
import time

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def main():
    out = sys.argv[1]
    c = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    digits = load_digits()
    x = digits.data / 16.0
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
    started = time.perf_counter()
    model = LogisticRegression(C=c, max_iter=5000).fit(x_train, y_train)
    seconds = time.perf_counter() - started
    with open(out, "w") as f:
        json.dump({
            "train": {"features": x_train.tolist(), "labels": y_train.tolist()},
            "test": {"features": x_test.tolist(), "labels": y_test.tolist()},
            "C": c, "accuracy": float(model.score(x_test, y_test)), "seconds": seconds,
        }, f)


if __name__ == "__main__":
    main()
