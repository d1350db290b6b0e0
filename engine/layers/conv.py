"""Convolution layers: Conv2D for images and Conv1D for sequences, channels first.

A convolution slides F small filters over the input. Each filter has weights for
every input channel and every kernel offset and one bias, and produces one output
channel (a "feature map"):

    Conv2D: x (n, C, H, W) -> z (n, F, H', W'),  W (F, C, k, k),  b (F,)
    Conv1D: x (n, C, L)    -> z (n, F, L'),      W (F, C, k),     b (F,)

with H' = (H + 2p - k) // s + 1 for stride s and zero padding p (the same for W'
and L'). Because the same filter is applied at every position, the layer has far
fewer parameters than a dense layer between the same shapes
(:func:`dense_equivalent_params`), and shifting the input shifts the output
(translation equivariance). A text CNN uses Conv1D with C = embedding dimensions and
k = n-gram width.

Computation ("im2col"): every window of the padded input is copied into a column,
giving cols (C*k^d, Q*n) with Q column slots per sample, and the layer becomes one
matrix product z = W2 cols + b for the whole batch, with W2 = W reshaped to
(F, C*k^d). A 1-D input is handled as one row. The slots run over whole rows of a
padded row buffer, so a few per row (over the padding) are computed and dropped;
in exchange, with stride 1 the copy moves long runs instead of w'-long pieces.

Memory order: the samples are the innermost axis throughout, (C, rows, columns,
n) for the padded input and (F, rows, columns, n) for the product, whose slots
the output (n, F, ...) is a view of. A training batch's feature maps are only a
few pixels wide, and NumPy's cost per row of an operation dominates at that
width; with the samples innermost, the layers after a convolution (activation,
pooling, the next convolution's copy) work along rows of columns x n values
instead of rows of a few columns. Inputs of any memory order are accepted.

The weights are not tied to the spatial size, so forward accepts any input at
least as large as the kernel (``build`` only fixes the nominal output shape).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from engine.errors import SpecError
from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Shape, total_size

_MAX_SHAPES = 8
"""Input shapes whose scratch arrays are kept at once (e.g. training batch, evaluation
set, a few image sizes); one more clears them all."""

_BACKWARD_BUFFERS = ("cols", "g_all", "dcols", "dxp")
"""Scratch arrays dropped by :meth:`_Conv.forget`."""


def dense_equivalent_params(in_shape: Shape, out_shape: Shape) -> int:
    """Weights plus biases of a dense layer mapping the flattened ``in_shape`` to the
    flattened ``out_shape`` (per-sample shapes): prod(in) * prod(out) + prod(out)."""
    n_in, n_out = math.prod(in_shape), math.prod(out_shape)
    return n_in * n_out + n_out


def out_length(length: int, kernel: int, stride: int, padding: int) -> int:
    """Output positions along one axis: (length + 2 padding - kernel) // stride + 1."""
    if length + 2 * padding < kernel:
        raise SpecError.coded("", "smaller_than_kernel", length=length, padding=padding,
                              kernel=kernel)
    return (length + 2 * padding - kernel) // stride + 1


class _Conv(Layer):
    """Convolution over the last ``ndim`` axes of (n, C, *spatial).

    Attributes:
        filters, kernel, stride, padding: the settings (square kernels).
        need_input_grad: when False, backward fills the parameter gradients only
            and returns None (a first layer has no use for dL/dx). True by default;
            nothing switches it yet (the network does so for a first dense layer).

    Parameters live in whatever dtype the bound buffers have (float64 or float32);
    the arithmetic runs in the wider of that and the input's dtype.
    """

    ndim = 0
    cached = ("_cols", "grad_input")

    def __init__(self, filters: int, kernel: int, stride: int = 1, padding: int = 0) -> None:
        super().__init__()
        self.filters, self.kernel = int(filters), int(kernel)
        self.stride, self.padding = int(stride), int(padding)
        if min(self.filters, self.kernel, self.stride) < 1 or self.padding < 0:
            raise ValueError("filters, kernel and stride must be >= 1 and padding >= 0")
        self.need_input_grad = True
        self.grad_input: np.ndarray | None = None
        self._cols: np.ndarray | None = None
        self._bufs: dict[str, np.ndarray] = {}
        self._scratch: dict[tuple[Shape, np.dtype], dict[str, np.ndarray]] = {}
        self._x_shape: Shape = ()
        self._layout: tuple[int, ...] = ()
        vertical = range(self.kernel) if self.ndim == 2 else range(1)
        self._offsets = list(itertools.product(vertical, range(self.kernel)))

    # -- construction -------------------------------------------------------------
    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 1 + self.ndim:
            raise SpecError.coded("", "conv_input_shape", kind=self.kind, axes=self.ndim,
                                  shape=str(tuple(in_shape)))
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.filters, *self._spatial_out(self.in_shape[1:]))
        return self.out_shape

    def _spatial_out(self, spatial: Shape) -> Shape:
        return tuple(out_length(n, self.kernel, self.stride, self.padding) for n in spatial)

    def param_specs(self) -> list[ParamSpec]:
        w_shape = (self.filters, self.in_shape[0]) + (self.kernel,) * self.ndim
        return [ParamSpec("W", w_shape, decay=True), ParamSpec("b", (self.filters,))]

    def parameter_count(self) -> int:
        """F * C * k^d weights + F biases."""
        return total_size(self.param_specs())

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        super().bind(params, grads, state)
        self._W2 = self.params["W"].reshape(self.filters, -1)  # (F, C*k^d), a view
        self._dW2 = self.grads["W"].reshape(self.filters, -1)

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        shape = self.params["W"].shape
        area = self.kernel**self.ndim
        self.params["W"][...] = init(rng, shape, self.in_shape[0] * area, self.filters * area)
        self.params["b"][...] = bias_init

    # -- scratch memory -----------------------------------------------------------
    def _scratch_for(self, x_shape: Shape, dtype: np.dtype) -> dict[str, np.ndarray]:
        """The reusable arrays for inputs of this shape and dtype.

        A training step allocates no large arrays: the padded input, the columns, the
        output and the backward arrays are reused from step to step (the output of forward
        and the dL/dx of backward are overwritten by the next call with the same
        shape, as for the network's output). Reusing them avoids handing large
        arrays back to the system and faulting them in again, which on small
        batches costs more than the arithmetic.
        """
        key = (x_shape, dtype)
        bufs = self._scratch.get(key)
        if bufs is None:
            if len(self._scratch) >= _MAX_SHAPES:
                self._scratch.clear()
            bufs = self._scratch[key] = {}
        return bufs

    @staticmethod
    def _buffer(bufs: dict[str, np.ndarray], name: str, shape: Shape, dtype: np.dtype,
                zeros: bool = False) -> np.ndarray:
        buf = bufs.get(name)
        if buf is None:
            buf = bufs[name] = np.zeros(shape, dtype) if zeros else np.empty(shape, dtype)
        return buf

    def forget(self) -> None:
        """Also drop the column and backward arrays (the largest: k^d copies of the
        input); the padded input and the output stay for reuse."""
        super().forget()
        for bufs in self._scratch.values():
            for name in _BACKWARD_BUFFERS:
                bufs.pop(name, None)

    # -- computation ------------------------------------------------------------
    def _layout_for(self, spatial: Shape) -> tuple[int, ...]:
        """The convolution as a 2-D one over rows, for an input of this spatial
        size: (h, w, kh, kw, sh, sw, ph, pw, ho, wo, wq, slots, rows) for input rows x
        columns, kernel, stride, padding, output rows x columns, the row buffer's
        width and rows, and the column slots per output row (see :meth:`forward`).
        A 1-D input is one row with no vertical kernel, stride or padding."""
        k, s, p = self.kernel, self.stride, self.padding
        if self.ndim == 1:
            h, w, kh, kw, sh, sw, ph, pw = 1, spatial[0], 1, k, 1, s, 0, p
        else:
            h, w, kh, kw, sh, sw, ph, pw = spatial[0], spatial[1], k, k, s, s, p, p
        out = self._spatial_out(spatial)  # refuses an input smaller than the kernel
        ho, wo = (1, *out) if self.ndim == 1 else out
        # stride 1: a row and its left padding, the right padding being the next
        # row's left padding (at least w' slots when the padding exceeds the kernel);
        # else the padded row, rounded up to a multiple of the stride
        wq = max(w + pw, wo) if sw == 1 else -(-(w + 2 * pw) // sw) * sw
        slots = wq // sw
        # enough rows that the last window's last slot (read, then dropped) is inside
        last = (kh - 1 + sh * (ho - 1)) * wq + kw - 1 + sw * (slots - 1)
        rows = max(h + 2 * ph, last // wq + 1)
        return (h, w, kh, kw, sh, sw, ph, pw, ho, wo, wq, slots, rows)

    def values_per_sample(self, in_shape: Shape | None = None) -> int:
        """What a forward holds per sample (for memory budgets): the row buffer,
        the columns and the product, whose slots the output is a view of."""
        shape = self.in_shape if in_shape is None else in_shape
        _, _, kh, kw, _, _, _, _, ho, _, wq, slots, rows = self._layout_for(shape[1:])
        channels = shape[0]
        return channels * rows * wq + (channels * kh * kw + self.filters) * ho * slots

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (n, C, *spatial) -> z: (n, F, *spatial'), any spatial size >= kernel.

        The input is copied into a zero buffer of ``rows`` rows of ``wq`` positions,
        each position holding the n samples' values (with stride 1 a row and its
        left padding, which is also the row above's right padding; else the padded
        row rounded up to a multiple of the stride), and the columns hold, for
        every output row, ``slots = wq / sw`` positions of which the first w' are
        outputs; the rest read the padding or the next row and are dropped. With
        stride 1 a column row is then one long run of the buffer, which NumPy
        copies many times faster than w'-long pieces (the dropped slots cost p / w
        of the product for a size-keeping padding p, 12.5% on an 8 x 8 input with
        padding 1).

        The result is overwritten by the next forward of the same input shape.
        """
        n, channels = x.shape[:2]
        if x.ndim != 2 + self.ndim or channels != self.in_shape[0]:
            raise ValueError(f"{self.kind} built for {self.in_shape[0]} channels, got input "
                             f"of shape {x.shape}")
        layout = self._layout_for(x.shape[2:])
        h, w, kh, kw, sh, sw, ph, pw, ho, wo, wq, slots, rows = layout
        out_spatial = (wo,) if self.ndim == 1 else (ho, wo)
        dtype = np.result_type(x.dtype, self._W2.dtype)
        bufs = self._scratch_for(x.shape, dtype)
        # the row buffers, sample innermost: (C, rows, wq, n)
        xp = self._buffer(bufs, "xp", (channels, rows * wq * n), dtype, zeros=True)
        xp.reshape(channels, rows, wq, n)[:, ph : ph + h, pw : pw + w] = (
            x.reshape(n, channels, h, w).transpose(1, 2, 3, 0))  # border, extra rows stay 0
        item = xp.itemsize
        # windows[c, a, b, i, j, m] = padded[m, c, sh i + a, sw j + b] (NumPy checks
        # that the view stays inside the buffer)
        windows = np.ndarray(
            (channels, kh, kw, ho, slots, n), dtype, xp,
            strides=(xp.strides[0], wq * n * item, n * item, sh * wq * n * item,
                     sw * n * item, item))
        # the one im2col copy, laid out (C k^d, Q n) with Q = ho * slots, so that one
        # product gives the whole batch's output
        cols = self._buffer(bufs, "cols", (channels * kh * kw, ho * slots * n), dtype)
        np.copyto(cols.reshape(windows.shape), windows)
        z_all = self._buffer(bufs, "z_all", (self.filters, ho * slots * n), dtype)
        np.matmul(self._W2, cols, out=z_all)
        z_all += self.params["b"][:, None]
        # the output slots as a view, (F, ho, slots, n) in memory: the next layer's
        # one pass over it (an activation, a pooling or the next columns) reads it
        # where it is, instead of a copy to (n, F, ...) order that costs as much as
        # the product itself
        z = z_all.reshape(self.filters, ho, slots, n)[:, :, :wo].transpose(3, 0, 1, 2)
        self._cols, self._bufs, self._x_shape = cols, bufs, x.shape
        self._layout = layout
        return z.reshape((n, self.filters, *out_spatial))

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Chain rule through z = W2 cols + b over the whole batch, with g = dL/dz
        (n, F, *spatial') spread over the column slots (0 in the dropped ones):

        * dL/dW2 = g cols^T, one product over all samples and positions, and
          dL/db_f = the sum of g over samples and positions;
        * dL/dcols = W2^T g (one product for the whole batch, offsets first), and
          each input value sat in every window that covered it, so dL/dx adds up the
          column entries that were copied from it ("col2im", a loop over the k^d
          kernel offsets adding strided views of the row buffer; the dropped slots
          add 0), minus the padding.

        Returns dL/dx (n, C, *spatial), overwritten by the next backward of the same
        shape, or None when ``need_input_grad`` is off.
        """
        n = grad_out.shape[0]
        h, w, kh, kw, sh, sw, ph, pw, ho, wo, wq, slots, rows = self._layout
        cols, bufs = self._cols, self._bufs
        g_all = self._buffer(bufs, "g_all", (self.filters, ho, slots, n), cols.dtype,
                             zeros=True)  # the dropped slots are never written: 0
        np.copyto(g_all[:, :, :wo], grad_out.reshape(n, self.filters, ho, wo).transpose(1, 2, 3, 0))
        g_all = g_all.reshape(self.filters, -1)
        g_all.sum(axis=1, out=self.grads["b"])
        self._dW2[...] = g_all @ cols.T
        self.grad_input = None
        if not self.need_input_grad:
            return None
        channels = self._x_shape[1]
        # dL/dcols for all samples in one product, laid out offset first,
        # (kh kw, C, ho, slots, n), so each offset's slice below is contiguous
        by_offset = self.params["W"].reshape(self.filters, channels, kh * kw).transpose(0, 2, 1)
        dcols = self._buffer(bufs, "dcols", (kh * kw * channels, g_all.shape[1]), cols.dtype)
        np.matmul(by_offset.reshape(self.filters, -1).T, g_all, out=dcols)
        dcols = dcols.reshape(kh * kw, channels, ho, slots, n)
        dxp = self._buffer(bufs, "dxp", (channels, rows * wq * n), cols.dtype)  # as xp
        dxp.fill(0.0)
        item = dxp.itemsize
        # targets[a, b] = the slots of offset (a, b) in the row buffers; different
        # offsets overlap, so they are added one at a time, but an offset's own slots
        # never do (a row's slots span wq - sw < wq)
        targets = np.ndarray(
            (kh, kw, channels, ho, slots, n), dxp.dtype, dxp,
            strides=(wq * n * item, n * item, dxp.strides[0], sh * wq * n * item,
                     sw * n * item, item))
        for i, (a, b) in enumerate(self._offsets):
            targets[a, b] += dcols[i]
        inner = dxp.reshape(channels, rows, wq, n)[:, ph : ph + h, pw : pw + w]
        self.grad_input = inner.transpose(3, 0, 1, 2).reshape(self._x_shape)  # a view
        return self.grad_input

    def describe(self) -> dict:
        return {"type": self.kind, "filters": self.filters, "kernel": self.kernel,
                "stride": self.stride, "padding": self.padding}


class Conv2D(_Conv):
    """2-D convolution: x (n, C, H, W) -> z (n, F, H', W'); W (F, C, k, k), b (F,).

    Weights are drawn with fan_in = C k^2 and fan_out = F k^2.
    """

    kind = "conv2d"
    ndim = 2


class Conv1D(_Conv):
    """1-D convolution: x (n, C, L) -> z (n, F, L'); W (F, C, k), b (F,).

    Weights are drawn with fan_in = C k and fan_out = F k.
    """

    kind = "conv1d"
    ndim = 1
