"""Encoding an engine snapshot for the wire: a JSON header plus binary arrays.

Binary frame layout (see docs/protocol.md):

    uint32 little-endian  H, the header length in bytes
    H bytes               UTF-8 JSON header
    padding               zero bytes up to a multiple of 4
    payload               the arrays, each starting at a multiple of 4

The header holds every scalar and small list of the frame (metrics, gradient
norms, dead-unit flags) and an ``arrays`` list describing each binary array:
``name``, ``dtype`` (``float32`` or ``uint8``), ``shape``, ``offset`` (from the
start of the payload) and, for quantised maps, ``lo`` and ``hi``: value = lo + q /
255 * (hi - lo). Weights go as float32; maps (the decision boundary, the unit
maps, and an image or text run's probe: its input, each layer's output for it and
the compared poolings) are quantised to 8 bits. The same content is available as plain JSON (arrays
as nested lists, maps unquantised) for scripts.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np
import orjson

MAP_KEYS = ("unit_maps",)
"""Per-layer arrays that are maps (quantised); other arrays go as float32."""


_PLAIN = frozenset({str, int, bool, type(None)})


def clean(value: Any) -> Any:
    """JSON-safe copy: NumPy scalars to Python, non-finite floats to None."""
    kind = type(value)
    if kind in _PLAIN:  # the common leaves first: a frame's header has hundreds
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):  # one tolist, no walk over the elements
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            value = np.where(np.isfinite(value), value, None)
        return value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def quantise(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """float array -> (uint8 array, lo, hi) with lo/hi the finite min and max."""
    lo, hi = float(values.min()), float(values.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        finite = values[np.isfinite(values)]
        lo = float(finite.min()) if finite.size else 0.0
        hi = float(finite.max()) if finite.size else 0.0
        values = np.nan_to_num(values, nan=lo, posinf=hi, neginf=lo)
    span = hi - lo
    if span <= 0:
        return np.zeros(values.shape, dtype=np.uint8), lo, hi
    q = (values - lo) * np.float32(255.0 / span)
    q += np.float32(0.5)
    return q.astype(np.uint8), lo, hi


_HEADER_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
"""A header goes out as orjson writes it: NumPy arrays and scalars as they are
(C-contiguous arrays of the common dtypes in one step), non-finite floats as null:
the content of json.dumps of :func:`clean`'s copy, several times faster, except
that a float32 value is written in its shortest float32 form (0.1, not
0.10000000149011612; both read back as the same float32)."""


def _leftover(value: Any) -> Any:
    """What orjson does not write itself (an array that is not C-contiguous, or of
    another dtype; a rarer NumPy scalar), made plain by :func:`clean`."""
    if isinstance(value, np.ndarray | np.generic):
        return clean(value)
    raise TypeError(f"{type(value).__name__} cannot go in a frame header")


def header_json(header: dict[str, Any]) -> bytes:
    """A frame header as compact UTF-8 JSON (non-finite numbers as null). What
    orjson refuses outright (a NumPy integer as a dict key, an integer beyond 64
    bits) goes the slower way, through :func:`clean` and json.dumps."""
    try:
        return orjson.dumps(header, default=_leftover, option=_HEADER_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(clean(header), separators=(",", ":"), allow_nan=False).encode()


class _Packer:
    """Collects a frame's arrays: their header entries and payload bytes.

    The maps and masks (uint8) come first, in the order added; then every float32
    array (the parameters, a dozen or more a frame), converted with one
    concatenation. A float32 array's size is a multiple of 4 bytes, so none needs
    padding. Readers go by each entry's offset, not by the order."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0
        self.arrays: list[dict[str, Any]] = []
        self._floats: list[tuple[dict[str, Any], np.ndarray]] = []

    def add(self, name: str, arr: np.ndarray, quantised: bool = False) -> None:
        entry: dict[str, Any] = {"name": name, "shape": list(arr.shape)}
        self.arrays.append(entry)
        if not quantised and arr.dtype != bool:
            # parameters: finite by construction (a diverged run keeps its last
            # finite state)
            entry["dtype"] = "float32"
            self._floats.append((entry, arr))
            return
        if quantised:
            data, lo, hi = quantise(np.asarray(arr, dtype=np.float32))
            entry.update(dtype="uint8", lo=lo, hi=hi)
        else:
            data = arr.astype(np.uint8)
            entry["dtype"] = "uint8"
        raw = np.ascontiguousarray(data).tobytes()
        entry["offset"] = self.offset
        self.parts.append(raw)
        pad = (-len(raw)) % 4
        if pad:
            self.parts.append(b"\0" * pad)
        self.offset += len(raw) + pad

    def payload(self) -> list[bytes]:
        """The payload's pieces (call once, after the last :meth:`add`: it places
        the float32 arrays and sets their offsets)."""
        if self._floats:
            for entry, arr in self._floats:
                entry["offset"] = self.offset
                self.offset += 4 * arr.size
            flat = np.concatenate([arr.ravel() for _, arr in self._floats], dtype=np.float32)
            self.parts.append(flat.tobytes())
            self._floats = []
        return self.parts


def encode_frame(frame: dict[str, Any], extra: dict[str, Any]) -> bytes:
    """A snapshot (from :func:`engine.telemetry.snapshot`) as one binary message.

    ``extra`` is merged into the header (type, run id, playing state ...), except
    that the snapshot's own ``grid`` (the sides drawn, lowered to fit the run's
    budget if need be) wins over the one asked for.
    """
    packer = _Packer()
    header: dict[str, Any] = {}
    for key, value in frame.items():
        if key == "layers":
            continue
        if key == "output_map":
            packer.add("output_map", value, quantised=True)
        elif key == "probe":
            header["probe"] = _probe_header(packer, value)
        else:
            header[key] = value
    layers = []
    for i, layer in enumerate(frame["layers"]):
        info: dict[str, Any] = {}
        for key, value in layer.items():
            if key == "params":
                for name, arr in value.items():
                    packer.add(f"layers.{i}.params.{name}", arr)
            elif key in MAP_KEYS:
                packer.add(f"layers.{i}.{key}", value, quantised=True)
            elif key == "mask" and value is not None:
                packer.add(f"layers.{i}.mask", value)
            else:
                info[key] = value
        layers.append(info)
    header.update(extra)
    if "grid" in frame:
        header["grid"] = frame["grid"]
    header["layers"] = layers
    payload = packer.payload()  # sets the float32 arrays' offsets
    header["arrays"] = packer.arrays
    return pack(header, payload)


def _probe_header(packer: _Packer, probe: dict[str, Any]) -> dict[str, Any]:
    """The probe's scalars and lists for the header; its arrays (the input, each
    layer's output, the compared poolings) go to the payload, quantised (word ids
    as float32), named ``probe.input``, ``probe.layers.<i>``, ``probe.pooling.<mode>``."""
    head: dict[str, Any] = {}
    for key, value in probe.items():
        if key == "input":  # an image is a map; word ids must stay exact
            packer.add("probe.input", value, quantised=value.ndim == 2)
        elif key == "layers":
            head["layers"] = []
            for i, entry in enumerate(value):
                packer.add(f"probe.layers.{i}", entry["values"], quantised=True)
                head["layers"].append({k: v for k, v in entry.items() if k != "values"})
        elif key == "pooling":
            head["pooling"] = {"source": value["source"]}
            for mode, maps in value.items():
                if mode != "source":
                    packer.add(f"probe.pooling.{mode}", maps, quantised=True)
        else:
            head[key] = value
    return head


def pack(header: dict[str, Any], parts: list[bytes]) -> bytes:
    """uint32 header length, the JSON header padded to 4 bytes, then the payload."""
    head = header_json(header)
    pad = (-(4 + len(head))) % 4
    return b"".join([struct.pack("<I", len(head)), head, b" " * pad, *parts])


def header_of(message: bytes) -> dict[str, Any]:
    """Only the JSON header of a binary message (its arrays left unread)."""
    (length,) = struct.unpack_from("<I", message, 0)
    return orjson.loads(message[4 : 4 + length])


def decode(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The inverse of :func:`encode_frame` (for tests and Python clients): the header
    and the arrays by name (maps de-quantised to float32)."""
    (length,) = struct.unpack_from("<I", message, 0)
    header = orjson.loads(message[4 : 4 + length])
    start = 4 + length + (-(4 + length)) % 4
    arrays = {}
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"])
        count = int(np.prod(entry["shape"], dtype=np.int64))
        arr = np.frombuffer(message, dtype=dtype, count=count,
                            offset=start + entry["offset"]).reshape(entry["shape"])
        if "lo" in entry:
            arr = entry["lo"] + arr.astype(np.float32) * ((entry["hi"] - entry["lo"]) / 255.0)
        arrays[entry["name"]] = arr
    return header, arrays


def frame_json(frame: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The snapshot as plain JSON (arrays as lists, maps unquantised)."""
    return {**clean(frame), **clean(extra)}


def frame_json_bytes(frame: dict[str, Any], extra: dict[str, Any]) -> bytes:
    """:func:`frame_json` written as UTF-8 JSON text straight from the arrays (see
    :func:`header_json`): no Python number per value on the way, so a snapshot of a
    million map values takes about its text in memory and a few hundredths of a
    second, where the lists took five times the memory and seconds of the server's
    time. float32 maps are written in their shortest float32 form."""
    return header_json({**frame, **extra})
