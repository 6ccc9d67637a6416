"""Builds the PyTorch module of a ticket written by ``ticketproof export``.

    import torch, ticket_loader
    model = ticket_loader.load("ticket.pt")          # reads ticket.pt and ticket.json (or ticket.npz + .json)
    y = model(x)                                      # x: float64 [N, C, H, W] (or [N, C*H*W])

The module computes the ticket's function in float64 (in float32 after ``model.float()``, which loses digits): for
every example the same outputs as ``ticketproof eval --ticket`` (shape [N] + the spec's "outputShape"). Layers (see
docs/cli.md, "export"):

- "conv": a cross-correlation with zero padding ("padding": one number for all four sides, or [rows, columns]:
  rows above and below, columns left and right), an optional bias, then the activation when "activation" is
  true. Sparse files hold ``KEY.weight_indices`` (flat indices into the [out, in, kh, kw] weight) and
  ``KEY.weight_values``; the module keeps them sparse (torch.sparse) so that a ticket of a large source network
  never becomes a dense tensor. Files written with ``--pruned`` hold ``KEY.weight_orig`` (the source network's
  random weights) and ``KEY.weight_mask`` in the torch.nn.utils.prune convention; they load into an nn.Conv2d
  pruned with torch.nn.utils.prune.custom_from_mask.
- "avgpool" / "global-avgpool": average pooling; "maxpool": max pooling (padding never the maximum); "size",
  "stride" and "padding" are one number (square windows) or [rows, columns].
- "residual": phi(conv2(conv1(x)) + skip(x)), skip the projection conv or the identity.

phi is the spec's "activationModule", {"class": "Hardtanh", "kwargs": {"min_val": -2.0, "max_val": 2.0}}: the
module torch.nn.Hardtanh(min_val=-2.0, max_val=2.0), the torch.nn module of the spec's catalog "activation". ELU,
CELU and SELU are the same functions computed with expm1 (Expm1Activation): torch.nn's modules compute
alpha (exp(t) - 1), which loses digits near 0, where a ticket's univariate layers read their lambda-scaled inputs
(1.4e-8 relative off on a CELU ticket with lambda 5e-9, against below 1e-14 with expm1).

When the target applies a function to its outputs after its last layer (a final Sigmoid, Softmax or LogSoftmax),
the spec names it ("outputActivation", with its module in "outputActivationModule"), and the module applies it
after the layers, as eval --ticket does.

Needs only torch (and numpy for .npy, .npz and .safetensors inputs).
"""
import json
import os

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune


# Modules of torch.nn.modules.activation that are not applied value by value (or that need a shape): refused.
_NOT_ELEMENTWISE = ("GLU", "LogSoftmax", "MultiheadAttention", "Softmax", "Softmax2d", "Softmin")


def activation(spec):
    """The activation module of a spec: torch.nn.CLASS(**KWARGS) from its "activationModule" {"class", "kwargs"}.

    Only the elementwise activation modules of torch.nn (those of torch.nn.modules.activation) without learned
    parameters are built; anything else raises ValueError.
    """
    name = spec.get("activation")
    if "activationModule" not in spec:
        raise ValueError("the spec names activation %r but has no \"activationModule\": it was written by an older "
                         "ticketproof export; export the ticket again (ticketproof export T.tpz --out FILE)" % name)
    module = spec["activationModule"]
    if module is None:
        raise ValueError("activation %r has no torch.nn module" % name)
    cls, kwargs = module.get("class"), module.get("kwargs", {})
    c = getattr(nn, cls, None) if isinstance(cls, str) else None
    if not (isinstance(c, type) and issubclass(c, nn.Module) and c.__module__ == "torch.nn.modules.activation"
            and cls not in _NOT_ELEMENTWISE):
        raise ValueError("activationModule class %r is not an elementwise activation module of torch.nn" % (cls,))
    if not isinstance(kwargs, dict):
        raise ValueError("activationModule kwargs of %s must be an object, got %r" % (cls, kwargs))
    try:
        phi = c(**kwargs)
    except (TypeError, ValueError) as e:
        raise ValueError("activationModule %s(**%r): %s" % (cls, kwargs, e)) from e
    if any(True for _ in phi.parameters()):
        raise ValueError("activationModule %s has learned parameters, which the export does not hold" % cls)
    if cls in ("ELU", "CELU", "SELU"):
        return Expm1Activation(phi)
    return phi


# SELU's constants, as torch.nn.SELU has them
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Expm1Activation(nn.Module):
    """torch.nn's ELU, CELU or SELU (``module``), computed as scale (t for t > 0, alpha expm1(t / s) for t <= 0), with
    s = alpha for CELU and 1 otherwise: the same function, without exp(t) - 1's cancellation near 0."""

    def __init__(self, module):
        super().__init__()
        self.module = module
        name = type(module).__name__
        self.alpha = _SELU_ALPHA if name == "SELU" else float(module.alpha)
        self.scale = _SELU_SCALE if name == "SELU" else 1.0
        self.inner = self.alpha if name == "CELU" else 1.0

    def forward(self, t):
        return self.scale * torch.where(t > 0, t, self.alpha * torch.expm1(torch.clamp(t, max=0) / self.inner))


def output_activation(spec):
    """The module of the spec's "outputActivationModule" (an elementwise activation module, or Softmax or LogSoftmax
    over dim 1, the channels), or None when the spec has no "outputActivation"."""
    module = spec.get("outputActivationModule")
    if spec.get("outputActivation") is None:
        return None
    if isinstance(module, dict) and module.get("class") in ("Softmax", "LogSoftmax") \
            and module.get("kwargs") == {"dim": 1}:
        return getattr(nn, module["class"])(dim=1)
    return activation({"activation": spec["outputActivation"], "activationModule": module})


def _pair(v):
    """A padding as (rows, columns): one number for both, or [rows, columns]."""
    return (v, v) if isinstance(v, int) else tuple(v)


class SparseConv2d(nn.Module):
    """A convolution whose weight is a sparse [out, in * kh * kw] matrix (im2col and a sparse product)."""

    def __init__(self, spec, indices, values, bias):
        super().__init__()
        self.out_channels, self.in_channels = spec["out"], spec["in"]
        self.kernel_size = tuple(spec["kernel"])
        self.stride, self.padding = spec["stride"], _pair(spec["padding"])
        self.register_buffer("weight_indices", indices)
        self.register_buffer("weight_values", values)
        self.register_buffer("bias", bias)
        self._matrix = None

    @property
    def weight(self):
        """The sparse [out, in * kh * kw] matrix, of the values' dtype and device (made again after model.float() or
        model.to(device), which move the buffers)."""
        v = self.weight_values
        m = self._matrix
        if m is None or m.dtype != v.dtype or m.device != v.device:
            per = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            idx = self.weight_indices.long()
            rows, cols = torch.div(idx, per, rounding_mode="floor"), idx % per
            m = torch.sparse_coo_tensor(torch.stack([rows, cols]), v, (self.out_channels, per)).coalesce()
            self._matrix = m
        return m

    def forward(self, x):
        n, _, h, w = x.shape
        kh, kw = self.kernel_size
        oh = (h + 2 * self.padding[0] - kh) // self.stride + 1
        ow = (w + 2 * self.padding[1] - kw) // self.stride + 1
        cols = F.unfold(x, self.kernel_size, padding=self.padding, stride=self.stride)  # [N, in*kh*kw, L]
        per = cols.shape[1]
        y = torch.sparse.mm(self.weight, cols.transpose(0, 1).reshape(per, -1))  # [out, N*L]
        y = y.reshape(self.out_channels, n, oh, ow).transpose(0, 1)
        if self.bias is not None:
            y = y + self.bias.reshape(1, -1, 1, 1)
        return y


class Layer(nn.Module):
    """A conv layer followed (optionally) by the activation."""

    def __init__(self, conv, phi):
        super().__init__()
        self.conv, self.phi = conv, phi

    def forward(self, x):
        y = self.conv(x)
        return self.phi(y) if self.phi is not None else y


class Pool(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def forward(self, x):
        if self.spec["kind"] == "global-avgpool":
            return x.mean(dim=(2, 3), keepdim=True)
        if self.spec["kind"] == "maxpool":
            return F.max_pool2d(x, self.spec["size"], self.spec["stride"], self.spec["padding"])
        return F.avg_pool2d(x, self.spec["size"], self.spec["stride"])


class Affine(nn.Module):
    """The input map of a target whose first layer is a BatchNorm or an input normalisation: scale * x + shift."""

    def __init__(self, scale, shift):
        super().__init__()
        self.register_buffer("scale", scale.reshape(1, -1, 1, 1))
        self.register_buffer("shift", shift.reshape(1, -1, 1, 1))

    def forward(self, x):
        return self.scale * x + self.shift


class Residual(nn.Module):
    def __init__(self, conv1, conv2, projection, phi):
        super().__init__()
        self.conv1, self.conv2, self.projection, self.phi = conv1, conv2, projection, phi

    def forward(self, x):
        skip = self.projection(x) if self.projection is not None else x
        return self.phi(self.conv2(self.conv1(x)) + skip)


class Ticket(nn.Module):
    """The ticket: input [N, C, H, W] (or [N, C*H*W]), output [N] + spec["outputShape"]."""

    def __init__(self, spec, layers):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleList(layers)
        self.output = output_activation(spec)

    def forward(self, x):
        # the weights' dtype: float64 as loaded, float32 after model.float()
        dtype = next((t.dtype for t in list(self.parameters()) + list(self.buffers()) if t.is_floating_point()),
                     torch.float64)
        x = x.reshape(x.shape[0], *self.spec["inputShape"]).to(dtype)
        for layer in self.layers:
            x = layer(x)
        x = x.reshape(x.shape[0], *self.spec["outputShape"])
        return x if self.output is None else self.output(x)


def _conv(spec, state, phi):
    key = spec["key"]
    if key + ".weight_indices" in state:
        bias = state.get(key + ".bias")
        conv = SparseConv2d(spec, state[key + ".weight_indices"], state[key + ".weight_values"], bias)
    else:
        conv = nn.Conv2d(spec["in"], spec["out"], tuple(spec["kernel"]), stride=spec["stride"],
                         padding=_pair(spec["padding"]), bias=spec["bias"], dtype=torch.float64)
        with torch.no_grad():
            if key + ".weight_orig" in state:
                conv.weight.copy_(state[key + ".weight_orig"])
                prune.custom_from_mask(conv, "weight", state[key + ".weight_mask"])
            else:
                conv.weight.copy_(state[key + ".weight"])
            if key + ".bias_orig" in state:
                conv.bias.copy_(state[key + ".bias_orig"])
                prune.custom_from_mask(conv, "bias", state[key + ".bias_mask"])
            elif spec["bias"]:
                conv.bias.copy_(state[key + ".bias"])
    return Layer(conv, phi if spec["activation"] else None)


def build(spec, state):
    """The Ticket module of a spec (dict) and its state dict (name -> tensor)."""
    if spec.get("format") != "ticketproof-ticket" or spec.get("version") != 1:
        raise ValueError("not a ticketproof-ticket spec of version 1")
    phi = activation(spec)
    layers = []
    for s in spec["layers"]:
        if s["kind"] == "conv":
            layers.append(_conv(s, state, phi))
        elif s["kind"] == "affine":
            layers.append(Affine(state[s["key"] + ".scale"], state[s["key"] + ".shift"]))
        elif s["kind"] in ("avgpool", "global-avgpool", "maxpool"):
            layers.append(Pool(s))
        elif s["kind"] == "residual":
            proj = _conv(s["projection"], state, phi) if "projection" in s else None
            layers.append(Residual(_conv(s["conv1"], state, phi), _conv(s["conv2"], state, phi), proj, phi))
        else:
            raise ValueError("unknown layer kind " + s["kind"])
    return Ticket(spec, layers)


def load(path, spec_path=None):
    """Loads an exported ticket (torch.save's file or a NumPy archive, told apart by their content) and its spec
    (default: the same name with .json)."""
    if spec_path is None:
        spec_path = os.path.splitext(path)[0] + ".json"
    with open(spec_path) as f:
        spec = json.load(f)
    if _is_npz(path):
        import numpy as np
        with np.load(path) as z:
            state = {k: torch.from_numpy(z[k]) for k in z.files}
    else:
        state = torch.load(path, weights_only=True)
    model = build(spec, state)
    model.eval()
    return model


def _is_npz(path):
    """Whether an exported file is a NumPy archive (its entries .npy files), whatever its extension: torch.save's zip
    holds an ARCHIVE/data.pkl instead."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except zipfile.BadZipFile:
        return False
    return bool(names) and all(n.endswith(".npy") for n in names)


def read_input(path):
    """The one array of an input file, as a float64 tensor: a NumPy .npy, a .npz with one array, a .safetensors file
    with one tensor, or a PyTorch file (torch.save) holding one tensor, or a dict, list or tuple with exactly one
    tensor; FILE:NAME picks the array NAME (a .npz entry, a .safetensors tensor, a dict key, a list or tuple index)
    of a file with several, as ticketproof's data flags do. Raises
    ValueError naming the file and what was expected."""
    import numpy as np
    name = None
    if not os.path.exists(path) and ":" in os.path.basename(path):
        path, name = path.rsplit(":", 1)
    if not os.path.isfile(path):
        raise ValueError("%s: no such file" % path)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\x93NUMPY"):
        if name is not None:
            raise ValueError("%s: a .npy file holds one array, not one named %r" % (path, name))
        try:
            arrays = {"": np.load(path, allow_pickle=False)}
        except (ValueError, OSError, EOFError) as e:
            raise ValueError("%s: not a readable .npy file (%s)" % (path, e)) from None
    elif head.startswith(b"PK") and path.endswith(".npz"):
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (ValueError, OSError, EOFError) as e:
            raise ValueError("%s: not a readable .npz file (%s)" % (path, e)) from None
    elif head.startswith(b"PK") or head[:1] == b"\x80":
        try:
            obj = torch.load(path, weights_only=True)
        except Exception:  # a whole model or another object: never unpickled beyond what weights_only allows
            raise ValueError("%s: holds objects other than tensors, which torch.load(weights_only=True) refuses (a "
                             "whole model is not data): save the inputs with torch.save(x, path) or "
                             "numpy.save(path, x)" % path) from None
        if torch.is_tensor(obj):
            items = {"": obj}
        elif isinstance(obj, dict):
            items = {str(k): v for k, v in obj.items()}
        elif isinstance(obj, (list, tuple)):
            items = {str(i): v for i, v in enumerate(obj)}
        else:
            raise ValueError("%s: holds a %s, expected a tensor, or a dict, list or tuple of tensors"
                             % (path, type(obj).__name__))
        arrays = {k: v for k, v in items.items() if torch.is_tensor(v)}
    elif _is_safetensors(path, head):
        arrays = _read_safetensors(path)
    else:
        raise ValueError("%s: not a .npy, .npz, .safetensors or PyTorch file (it starts with %s)"
                         % (path, head.hex(" ")))
    if name is not None:
        if name not in arrays:
            raise ValueError("%s: no array named %r (it has %s)" % (path, name, ", ".join(arrays) or "none"))
        x = arrays[name]
    elif len(arrays) == 1:
        x = next(iter(arrays.values()))
    else:
        listed = ", ".join("%s %s" % (k, list(v.shape)) for k, v in arrays.items()) or "no arrays"
        raise ValueError("%s: holds %d arrays (%s): pick one as %s:NAME" % (path, len(arrays), listed, path))
    x = x if torch.is_tensor(x) else torch.from_numpy(np.ascontiguousarray(x))
    if x.is_complex() or not (x.is_floating_point() or x.dtype in (torch.int64, torch.int32, torch.int16,
                                                                      torch.int8, torch.uint8, torch.bool)):
        raise ValueError("%s: unsupported element type %s" % (path, x.dtype))
    return x.to(torch.float64)


# safetensors dtypes as NumPy reads them (little-endian); BF16 is read as the upper halves of float32 values.
_SAFETENSORS = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
                "I8": "i1", "U8": "u1", "BOOL": "?"}


def _is_safetensors(path, head):
    """A .safetensors file: an 8-byte little-endian header length, then a JSON header that starts with '{'."""
    n = int.from_bytes(head, "little") if len(head) == 8 else 0
    if not 2 <= n <= os.path.getsize(path) - 8:
        return False
    with open(path, "rb") as f:
        f.seek(8)
        return f.read(1) == b"{"


def _read_safetensors(path):
    """The arrays of a .safetensors file, by name in the header's order (__metadata__ left out)."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    try:
        header = json.loads(raw[8:8 + n])
    except ValueError as e:
        raise ValueError("%s: safetensors header is not JSON (%s)" % (path, e)) from None
    data = memoryview(raw)[8 + n:]
    arrays = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        if v.get("dtype") not in _SAFETENSORS:
            raise ValueError("%s: tensor %r: unsupported dtype %r (supported: %s)"
                             % (path, k, v.get("dtype"), ", ".join(_SAFETENSORS)))
        dt = np.dtype(_SAFETENSORS[v["dtype"]])
        shape = [int(d) for d in v["shape"]]
        lo, hi = v["data_offsets"]
        if not 0 <= lo <= hi <= len(data) or hi - lo != int(np.prod(shape)) * dt.itemsize:
            raise ValueError("%s: tensor %r: data_offsets [%d, %d] do not hold %s %s values in the %d bytes of data"
                             % (path, k, lo, hi, shape, v["dtype"], len(data)))
        a = np.frombuffer(data[lo:hi], dtype=dt).reshape(shape).copy()
        if v["dtype"] == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        arrays[k] = a
    return arrays


if __name__ == "__main__":
    import argparse
    import sys
    import numpy as np

    p = argparse.ArgumentParser(description="Evaluates an exported ticket on an input batch.")
    p.add_argument("ticket", help="ticket .pt or .npz written by ticketproof export")
    p.add_argument("--input", required=True, help="input batch: .npy, .npz, .safetensors, or a tensor saved with "
                   "torch.save (FILE:NAME picks one of several)")
    p.add_argument("--out", required=True, help="output .npy (float64)")
    a = p.parse_args()
    try:
        x = read_input(a.input)
    except ValueError as e:
        print("ticket_loader.py: --input %s" % e, file=sys.stderr)
        sys.exit(2)
    try:
        model = load(a.ticket)
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        # a missing or unreadable file, its spec missing, or a spec and weights that do not fit
        print("ticket_loader.py: %s: %s" % (a.ticket, e), file=sys.stderr)
        sys.exit(2)
    with torch.no_grad():
        y = model(x)
    np.save(a.out, y.numpy())
