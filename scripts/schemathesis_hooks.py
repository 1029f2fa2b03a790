"""Schemathesis hooks for the contract test (Tests/SeerServerTests/ContractTests.swift), which
runs schemathesis against a real `seer serve` (SCHEMATHESIS_HOOKS=schemathesis_hooks, with this
folder on PYTHONPATH).

- Format "base64-image" (how /openapi.json marks image bytes): real images, small PNGs made
  here. Base64 of random bytes is no image, and the server rightly refuses it with a 400.
- /sam/segment_image: the rules JSON Schema cannot state (as many point_labels as point_coords,
  at most one box corner labelled 2 and one labelled 3 and both or neither, a prompt that is not
  all padding) are made to hold in the requests generated as valid; the document's description
  states them, and invalid requests are left as generated.
"""
import base64
import struct
import zlib

import schemathesis
from hypothesis import strategies as st


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour 8-bit RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


colours = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
images = st.builds(png, st.integers(1, 64), st.integers(1, 64), colours)
schemathesis.openapi.format("base64-image", images.map(lambda data: base64.b64encode(data).decode()))


@schemathesis.hook("map_case").apply_to(path="/sam/segment_image")
def consistent_prompt(context, case):
    meta = case.meta
    body = case.body
    if meta is None or not meta.generation.mode.is_positive or not isinstance(body, dict):
        return case
    coords, labels = body.get("point_coords"), body.get("point_labels")
    if not isinstance(coords, list) or not isinstance(labels, list):
        return case
    # One label per point: extra labels dropped, missing ones foreground.
    labels = labels[: len(coords)] + [1] * (len(coords) - len(labels))
    # At most one corner of each kind, and a box needs both: any other corner becomes foreground.
    first = {corner: labels.index(corner) for corner in (2, 3) if corner in labels}
    box = len(first) == 2
    labels = [label if label not in (2, 3) or (box and first[label] == i) else 1 for i, label in enumerate(labels)]
    # Something to segment: a point or a box, unless an earlier mask is refined.
    if coords and not box and all(label == -1 for label in labels) and body.get("has_mask_input") is not True:
        labels[0] = 1
    body["point_labels"] = labels
    return case
