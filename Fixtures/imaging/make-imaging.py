#!/usr/bin/env python3
"""Generate the imaging fixtures for triage: PDQ conformance vectors and a decoder corpus.

    python3 Fixtures/imaging/make-imaging.py

Needs Python 3, numpy, Pillow 13 (libjpeg-turbo, libwebp, libtiff, zlib, OpenJPEG) and
pdqhash 0.2.8 from PyPI. Optional: ../shared/testdata/pdq (verification of the method),
`file` (libmagic) for the MIME column.

Everything is synthetic and abstract (gradients, shapes, stripes, noise). Fixed seeds and
pinned encoder options: two runs on the same machine give byte-identical files. Another
Pillow/zlib/libjpeg/libwebp build may encode differently; the expected hashes are then
regenerated together with the pictures.

Expected PDQ hashes use LIBRARY semantics (the whole decoded image, no 512x512 pre-resize)
and come from the C++ reference compiled into pdqhash 0.2.8, called through its exported
C++ symbols so that luma is produced by the reference itself:
  RGB : hashing::fillFloatLumaFromRGB   -> Y = 0.299f*R + 0.587f*G + 0.114f*B (float32)
  grey: hashing::fillFloatLumaFromGrey  -> Y = (float)grey
then hashing::pdqHash256FromFloatLuma / pdqDihedralHash256esFromFloatLuma.
Every hash is cross-checked against pdqhash's public Python API:
  RGB : pdqhash.compute(rgb_uint8)                       (luma in float64, then float32)
  grey: pdqhash.compute(np.dstack([g, g, g]))            (float64 sum == g exactly)
and the method is verified against ../shared/testdata/pdq/expected-noresize.txt.
"""

import ctypes
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageFile

import pdqhash

HERE = Path(__file__).resolve().parent
VEC = HERE / "vectors"
DEC = HERE / "decode"
SHARED_CANDIDATES = [
    HERE.parent.parent.parent / "shared" / "testdata" / "pdq",  # ../shared next to the repo
    Path("/work/shared/testdata/pdq"),
]

PDQHASH_VERSION = "0.2.8"

# ----------------------------------------------------------------------------------------
# PDQ reference
# ----------------------------------------------------------------------------------------


class Hash256(ctypes.Structure):
    _fields_ = [("w", ctypes.c_uint16 * 16)]


def hash256_hex(h):
    """Reference format: bit k is in w[k >> 4] at bit (k & 15); print w[15] .. w[0] as %04x."""
    return "".join("%04x" % h.w[i] for i in range(15, -1, -1))


def bitvector_hex(v):
    """pdqhash's public API returns hash_to_vector(w): element i is hash bit (255 - i),
    i.e. the bits most-significant first. Read as a big-endian 256-bit number."""
    v = np.asarray(v).astype(np.int64)
    assert v.shape == (256,) and set(np.unique(v)) <= {0, 1}
    return "%064x" % int("".join("1" if b else "0" for b in v), 2)


class Reference:
    """The C++ reference inside pdqhash's extension module, through its exported symbols."""

    SYM = {
        "rgb": "_ZN8facebook3pdq7hashing20fillFloatLumaFromRGBEPhS2_S2_iiiiPf",
        "grey": "_ZN8facebook3pdq7hashing21fillFloatLumaFromGreyEPhiiiiPf",
        "hash": "_ZN8facebook3pdq7hashing23pdqHash256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRNS1_7Hash256ERi",
        "dih": "_ZN8facebook3pdq7hashing33pdqDihedralHash256esFromFloatLumaEPfS2_iiPA64_fS4_PA16_fS6_PNS1_7Hash256ES8_S8_S8_S8_S8_S8_S8_Ri",
    }

    def __init__(self):
        if pdqhash.__version__ != PDQHASH_VERSION:
            sys.exit(f"need pdqhash {PDQHASH_VERSION}, found {pdqhash.__version__}")
        lib = ctypes.CDLL(pdqhash.bindings.__file__)
        self.f = {k: getattr(lib, v) for k, v in self.SYM.items()}
        for fn in self.f.values():
            fn.restype = None

    @staticmethod
    def _p(a):
        return ctypes.c_void_p(a.ctypes.data)

    def luma(self, pixels):
        """uint8 HxW (grey) or HxWx3 (RGB) -> float32 HxW luma, computed by the reference."""
        a = np.ascontiguousarray(pixels, dtype=np.uint8)
        rows, cols = a.shape[:2]
        out = np.zeros((rows, cols), np.float32)
        if a.ndim == 2:
            self.f["grey"](self._p(a), rows, cols, cols, 1, self._p(out))
        else:
            assert a.ndim == 3 and a.shape[2] == 3
            base = a.ctypes.data
            self.f["rgb"](ctypes.c_void_p(base), ctypes.c_void_p(base + 1), ctypes.c_void_p(base + 2),
                          rows, cols, 3 * cols, 3, self._p(out))
        return out

    def _buffers(self, y):
        y = np.ascontiguousarray(y, np.float32).copy()
        return (y, np.zeros_like(y), np.zeros((64, 64), np.float32),
                np.zeros((16, 64), np.float32), np.zeros((16, 16), np.float32))

    def hash(self, pixels):
        y, b2, b64, b1664, b16 = self._buffers(self.luma(pixels))
        h, q = Hash256(), ctypes.c_int(-1)
        self.f["hash"](self._p(y), self._p(b2), y.shape[0], y.shape[1], self._p(b64), self._p(b1664),
                       self._p(b16), ctypes.byref(h), ctypes.byref(q))
        return hash256_hex(h), q.value

    def dihedral(self, pixels):
        y, b2, b64, b1664, b16 = self._buffers(self.luma(pixels))
        aux = np.zeros((16, 16), np.float32)
        hs = [Hash256() for _ in range(8)]
        q = ctypes.c_int(-1)
        self.f["dih"](self._p(y), self._p(b2), y.shape[0], y.shape[1], self._p(b64), self._p(b1664),
                      self._p(b16), self._p(aux), *[ctypes.byref(h) for h in hs], ctypes.byref(q))
        return [hash256_hex(h) for h in hs], q.value

    # --- pdqhash public Python API (cross-check) ---------------------------------------
    @staticmethod
    def _as3(pixels):
        a = np.asarray(pixels, dtype=np.uint8)
        if a.ndim == 2:
            a = np.dstack([a, a, a])
        return np.ascontiguousarray(a)

    def public_hash(self, pixels):
        v, q = pdqhash.compute(self._as3(pixels))
        return bitvector_hex(v), int(q)

    def public_dihedral(self, pixels):
        vs, q = pdqhash.compute_dihedral(self._as3(pixels))
        return [bitvector_hex(v) for v in vs], int(q)


REF = Reference()
CROSS = {"checked": 0, "mismatch": []}


def pdq(pixels, label):
    """Reference hash (C++ float32 luma) plus a cross-check against the public API."""
    h, q = REF.hash(pixels)
    ph, pq = REF.public_hash(pixels)
    CROSS["checked"] += 1
    if (h, q) != (ph, pq):
        CROSS["mismatch"].append((label, h, q, ph, pq))
    return h, q


def pdq_dihedral(pixels, label):
    hs, q = REF.dihedral(pixels)
    phs, pq = REF.public_dihedral(pixels)
    CROSS["checked"] += 1
    if (hs, q) != (phs, pq):
        CROSS["mismatch"].append((label + " (dihedral)", hs, q, phs, pq))
    return hs, q


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


# ----------------------------------------------------------------------------------------
# Verification against ../shared/testdata/pdq (proves the method)
# ----------------------------------------------------------------------------------------


def pixels_for_hash(im):
    """Pixels as the hasher should receive them: grey modes stay one channel."""
    if im.mode in ("L",):
        return np.asarray(im), 1
    if im.mode == "LA":
        return np.asarray(im)[:, :, 0], 1
    if im.mode == "RGBA":
        return np.asarray(im)[:, :, :3], 3  # alpha dropped WITHOUT compositing
    if im.mode == "RGB":
        return np.asarray(im), 3
    if im.mode == "P":
        return np.asarray(im.convert("RGB")), 3
    raise ValueError(f"unhandled mode {im.mode}")


def verify_shared():
    base = next((p for p in SHARED_CANDIDATES if (p / "expected-noresize.txt").is_file()), None)
    if base is None:
        return {"found": False}
    exp = {}
    for line in (base / "expected-noresize.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        h, q, f = line.split()
        exp[f] = (h, int(q))
    dexp = {}
    dih_file = base / "expected-dihedral-noresize.txt"
    if dih_file.is_file():
        for line in dih_file.read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            dexp[parts[-1]] = (parts[:8], int(parts[8]))
    rows = []
    for f in sorted(os.listdir(base / "pixels")):
        key = "pixels/" + f
        with Image.open(base / "pixels" / f) as im:
            im.load()
            px, ch = pixels_for_hash(im)
            mode = im.mode
        got = pdq(px, "shared/" + key)
        ok = got == exp.get(key)
        dok = None
        if key in dexp:
            dok = pdq_dihedral(px, "shared/" + key) == dexp[key]
        rows.append((key, mode, ch, ok, dok, got, exp.get(key)))
    i16 = None
    key = "images/pte/I16.png"
    if (base / key).is_file() and key in exp:
        with Image.open(base / key) as im:
            v = np.asarray(im).astype(np.uint16)  # 16-bit grey
        hi = REF.hash((v >> 8).astype(np.uint8))
        lo = REF.hash((v & 255).astype(np.uint8))
        i16 = {"expected": exp[key], "high": hi, "low": lo,
               "d_high": hamming(hi[0], exp[key][0]), "d_low": hamming(lo[0], exp[key][0])}
    return {"found": True, "base": str(base), "rows": rows, "i16": i16}


# ----------------------------------------------------------------------------------------
# Pattern generators (all abstract)
# ----------------------------------------------------------------------------------------


def u8(a):
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def grid(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    return x, y


def smooth_rgb(w, h, phase=0.0):
    x, y = grid(w, h)
    u, v = x / max(w - 1, 1), y / max(h - 1, 1)
    r = 128 + 90 * np.sin(2 * np.pi * (1.3 * u + 0.4 * v) + phase) + 30 * np.cos(2 * np.pi * 2.1 * v)
    g = 120 + 80 * np.cos(2 * np.pi * (0.7 * u - 1.1 * v) + 0.5 * phase) + 25 * u
    b = 110 + 70 * np.sin(2 * np.pi * (2.3 * u * v) + 1.0) + 50 * (1 - v)
    return u8(np.dstack([r, g, b]))


def smooth_grey(w, h, phase=0.0):
    x, y = grid(w, h)
    u, v = x / max(w - 1, 1), y / max(h - 1, 1)
    return u8(128 + 70 * np.sin(2 * np.pi * (1.7 * u + 0.9 * v) + phase)
              + 45 * np.cos(2 * np.pi * (0.6 * u - 2.2 * v)))


def noise(w, h, channels, seed):
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels == 1 else (h, w, channels)
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def stripes_rgb(w, h):
    x, y = grid(w, h)
    band = ((x + 2 * y) // 9).astype(int) % 3
    pal = np.array([[220, 60, 40], [40, 170, 90], [50, 70, 200]], np.uint8)
    return pal[band]


def stripes_grey(w, h):
    x, y = grid(w, h)
    vert = ((x // 13).astype(int) % 2) * 90
    horiz = ((y // 29).astype(int) % 3) * 50
    return u8(40 + vert + horiz)


def blocky_rgb(w, h, block=20):
    """Low-frequency colour field sampled once per 20x20 block, quantised to steps of 32,
    plus a flat disc and bar: smooth structure but long runs of equal bytes (small PNG)."""
    x, y = grid(w, h)
    u = (np.floor(x / block) * block + block / 2) / (w - 1)
    v = (np.floor(y / block) * block + block / 2) / (h - 1)
    r = 128 + 100 * np.sin(2 * np.pi * (0.8 * u + 1.3 * v))
    g = 128 + 100 * np.cos(2 * np.pi * (1.6 * u - 0.5 * v))
    b = 128 + 100 * np.sin(2 * np.pi * (1.1 * u * v + 0.3 * u))
    img = np.dstack([r, g, b])
    img = np.floor(img / 32) * 32 + 16
    disc = (x - 0.3 * w) ** 2 + (y - 0.6 * h) ** 2 < (0.18 * w) ** 2
    img[disc] = [240, 230, 40]
    rect = (x > 0.55 * w) & (x < 0.9 * w) & (y > 0.12 * h) & (y < 0.3 * h)
    img[rect] = [20, 30, 120]
    return u8(img)


def scene_rgb(w=192, h=144):
    """The decoder-corpus picture: linear colour gradients, a disc, a ring, a bar and a triangle."""
    x, y = grid(w, h)
    u, v = x / (w - 1), y / (h - 1)
    img = np.dstack([50 + 150 * u, 70 + 110 * v, 200 - 130 * u * v])  # gradients compress well
    cx, cy = 0.28 * w, 0.42 * h
    d2 = (x - cx) ** 2 + (y - cy) ** 2
    img[d2 < (0.2 * h) ** 2] = [235, 70, 45]
    ring = (d2 > (0.27 * h) ** 2) & (d2 < (0.32 * h) ** 2)
    img[ring] = [250, 220, 60]
    bar = (x > 0.6 * w) & (x < 0.86 * w) & (y > 0.12 * h) & (y < 0.48 * h)
    img[bar] = [25, 150, 85]
    tri = (y > 0.58 * h) & (y < 0.92 * h) & (np.abs(x - 0.72 * w) < (y - 0.58 * h) * 0.8)
    img[tri] = [40, 50, 190]
    return u8(img)


def scene_grey(w=192, h=144):
    return u8(REF.luma(scene_rgb(w, h)))  # rounded reference luma of the colour scene


# ----------------------------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------------------------


def save_png(arr_or_img, path):
    im = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    im.save(path, "PNG", compress_level=9, optimize=False)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunks(data):
    """[(offset, type, length)] of a PNG file."""
    out, p = [], 8
    while p < len(data):
        n, t = struct.unpack(">I4s", data[p:p + 8])
        out.append((p, t, n))
        p += 12 + n
    return out


def write_png16(path, arr):
    """16-bit grey (HxW) or RGB (HxWx3) PNG by hand: big-endian samples, filter Up (2)
    on every row but the first (None), zlib level 9. No gAMA/sRGB chunk."""
    h, w = arr.shape[:2]
    ctype = 0 if arr.ndim == 2 else 2
    raw = arr.astype(">u2").reshape(h, -1).view(np.uint8).reshape(h, -1)
    filt = raw.copy()
    filt[1:] = (raw[1:].astype(np.int16) - raw[:-1].astype(np.int16)).astype(np.uint8)
    ftype = np.full((h, 1), 2, np.uint8)
    ftype[0] = 0
    body = np.hstack([ftype, filt]).tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 16, ctype, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(body, 9)) + png_chunk(b"IEND", b""))
    path.write_bytes(data)


def gif_lzw_literal(indices, min_code_size):
    """GIF LZW data that only uses literal codes, with a Clear code before the decoder's
    table would grow past the initial code width. Valid for every GIF decoder."""
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    width = min_code_size + 1
    per_clear = (1 << width) - (eoi + 1) - 1  # literals before the table reaches 1<<width
    codes = []
    for i, ix in enumerate(indices):
        if i % per_clear == 0:
            codes.append(clear)
        codes.append(int(ix))
    codes.append(eoi)
    acc = nbits = 0
    out = bytearray()
    for c in codes:
        acc |= c << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 255)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 255)
    blocks = bytearray([min_code_size])
    for i in range(0, len(out), 255):
        chunk = out[i:i + 255]
        blocks += bytes([len(chunk)]) + chunk
    blocks.append(0)
    return bytes(blocks)


def write_animated_gif(path, first_rgb, frames):
    """GIF89a, global palette from a deterministic median-cut of the first frame, NETSCAPE
    loop, frame 1 = the whole picture, frames 2..N = one changed pixel each (1x1 sub-image,
    palette index 0..3, LZW min code size 2). Only frame 1 carries a Graphic Control
    Extension; the others have none, which keeps them at 15 bytes each."""
    h, w = first_rgb.shape[:2]
    q = Image.fromarray(first_rgb).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    pal = (q.getpalette() + [0] * 768)[:768]
    idx = np.asarray(q)
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", w, h, 0xF7, 0, 0)  # global table, 8 bits, 256 entries
    out += bytes(pal)
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # GCE: delay 10 cs, no transparency
    out += b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0)
    out += gif_lzw_literal(idx.reshape(-1), 8)
    for i in range(1, frames):
        fx, fy = (i * 7) % 16, (i * 3) % 12  # bottom-right corner 16x12 region
        out += b"\x2c" + struct.pack("<HHHHB", w - 16 + fx, h - 12 + fy, 1, 1, 0)
        out += gif_lzw_literal([i % 4], 2)
    out += b"\x3b"
    path.write_bytes(bytes(out))
    return np.asarray(q.convert("RGB"))


def write_psd(path, rgb):
    """Minimal Photoshop PSD: version 1, 3 channels, 8 bits, RGB, raw planar image data."""
    h, w = rgb.shape[:2]
    hdr = b"8BPS" + struct.pack(">H6sHIIHH", 1, b"\0" * 6, 3, h, w, 8, 3)
    body = struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0)
    planes = b"".join(np.ascontiguousarray(rgb[:, :, c]).tobytes() for c in range(3))
    path.write_bytes(hdr + body + planes)


def cmyk_from_rgb(rgb):
    """Naive separation with 50 % grey-component replacement (real K channel)."""
    c, m, y = [255.0 - rgb[:, :, i].astype(np.float64) for i in range(3)]
    k = np.minimum(np.minimum(c, m), y) * 0.5
    s = 255.0 / np.maximum(255.0 - k, 1.0)
    return u8(np.dstack([(c - k) * s, (m - k) * s, (y - k) * s, k]))


def imagemagick_cmyk_to_rgb(cmyk):
    """What ImageMagick 6 Q16 (the reference's decoder) does with an Adobe CMYK JPEG and no
    ICC profile: samples (already un-inverted) scaled to 16 bits, R = QR - (C*(QR-K)/QR + K)
    in double, rounded to Q16, then ScaleQuantumToChar = (v + 128) / 257 for PNM output."""
    qr = 65535.0
    c16 = cmyk.astype(np.float64) * 257.0
    k16 = c16[:, :, 3]
    out = []
    for i in range(3):
        r16 = qr - (c16[:, :, i] * (qr - k16) / qr + k16)
        r16 = np.floor(np.clip(r16, 0, qr) + 0.5)
        out.append(np.floor((r16 + 128) / 257))
    return np.dstack(out).astype(np.uint8)


def mime_of(path, magic=None):
    cmd = ["file", "--mime-type", "-b"] + (["-m", magic] if magic else []) + [str(path)]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# ----------------------------------------------------------------------------------------
# 1. PDQ conformance vectors
# ----------------------------------------------------------------------------------------

VECTORS = [
    # name, W, H, description, generator
    ("v01-rgb-5x5-noise.png", 5, 5, "RGB uniform noise, seed 101 (smallest hashable size)",
     lambda w, h: noise(w, h, 3, 101)),
    ("v02-grey-6x7-noise.png", 6, 7, "grey (L) uniform noise, seed 102",
     lambda w, h: noise(w, h, 1, 102)),
    ("v03-rgb-63x65-smooth.png", 63, 65, "RGB smooth sinusoid field; 63 wide, under 64 (decimation repeats columns)",
     lambda w, h: smooth_rgb(w, h, 0.3)),
    ("v04-rgb-64x64-noise.png", 64, 64, "RGB noise, seed 104; exactly 64x64 so the Jarosz filter is skipped",
     lambda w, h: noise(w, h, 3, 104)),
    ("v05-grey-64x64-smooth.png", 64, 64, "grey smooth field; exactly 64x64, filter skipped",
     lambda w, h: smooth_grey(w, h, 0.7)),
    ("v06-rgb-127x129-stripes.png", 127, 129, "RGB three-colour diagonal stripes (window 1 x 2)",
     stripes_rgb),
    ("v07-grey-128x128-smooth.png", 128, 128, "grey smooth field (window 1, last size before 2)",
     lambda w, h: smooth_grey(w, h, 1.9)),
    ("v08-rgb-200x150-smooth.png", 200, 150, "RGB smooth sinusoid field",
     lambda w, h: smooth_rgb(w, h, 1.1)),
    ("v09-rgb-300x300-constant.png", 300, 300, "RGB constant (200,120,40): quality 0, bits from float rounding only",
     lambda w, h: np.full((h, w, 3), (200, 120, 40), np.uint8)),
    ("v10-grey-300x300-constant.png", 300, 300, "grey constant 77: quality 0, bits from float rounding only",
     lambda w, h: np.full((h, w), 77, np.uint8)),
    ("v11-grey-513x257-stripes.png", 513, 257, "grey vertical + horizontal stripes (windows 5 x 3)",
     stripes_grey),
    ("v12-rgb-1000x37-smooth.png", 1000, 37, "RGB smooth field, very wide (windows 8 x 1)",
     lambda w, h: smooth_rgb(w, h, 2.0)),
    ("v13-rgb-700x1100-blocky.png", 700, 1100, "RGB smooth field sampled per 20x20 block, steps of 32, with a disc and a bar; tall (windows 6 x 9)",
     blocky_rgb),
    ("v14-grey-200x150-smooth.png", 200, 150, "grey smooth field",
     lambda w, h: smooth_grey(w, h, 2.5)),
]


def make_vectors():
    VEC.mkdir(parents=True, exist_ok=True)
    lines, dlines, rows = [], [], []
    for name, w, h, desc, gen in VECTORS:
        arr = gen(w, h)
        assert arr.shape[:2] == (h, w), name
        save_png(arr, VEC / name)
        with Image.open(VEC / name) as im:  # hash what a decoder returns from the file
            im.load()
            px, ch = pixels_for_hash(im)
            mode = im.mode
        assert np.array_equal(px, arr), name
        assert mode == ("L" if arr.ndim == 2 else "RGB"), name
        hx, q = pdq(px, "vectors/" + name)
        dh, dq = pdq_dihedral(px, "vectors/" + name)
        assert dh[0] == hx and dq == q, name
        lines.append(f"{hx} {q} {name}")
        dlines.append(" ".join(dh) + f" {dq} {name}")
        rows.append((name, mode, w, h, desc, hx, q))
    head = ("# pdqhash 0.2.8 C++ reference, library semantics: pdqHash256FromFloatLuma on the full image, NO 512x512 pre-resize\n"
            "# luma: RGB 0.299f*R+0.587f*G+0.114f*B (float32); grey (mode L) Y = grey\n"
            "# format: <hex hash> <quality> <file relative to this folder>\n")
    (VEC / "expected.txt").write_text(head + "\n".join(lines) + "\n")
    dhead = ("# pdqhash 0.2.8 C++ reference, pdqDihedralHash256esFromFloatLuma, library semantics (no pre-resize)\n"
             "# format: <orig> <rot90> <rot180> <rot270> <flipx> <flipy> <flipplus1> <flipminus1> <quality> <file>\n")
    (VEC / "expected-dihedral.txt").write_text(dhead + "\n".join(dlines) + "\n")
    return rows


# ----------------------------------------------------------------------------------------
# 2. Decoder corpus
# ----------------------------------------------------------------------------------------

FACTS = []


def fact(file, fmt, outcome, width, height, channels, pixels, exact, note, quality_note=None):
    h = q = None
    if pixels is not None:
        h, q = pdq(pixels, "decode/" + file)
        if pixels.ndim == 2:
            assert channels == 1, file
        else:
            assert channels == 3, file
    FACTS.append({
        "file": file, "format": fmt, "outcome": outcome, "width": width, "height": height,
        "channels": channels, "pdq": h, "pdq_quality": q, "pdq_exact": exact if h else None,
        "note": note, "mime": mime_of(DEC / file),
    })


def decode_pillow(path):
    with Image.open(path) as im:
        im.load()
        return im.copy()


def many_scans(path, scans):
    """A progressive JPEG whose first AC scan is repeated `scans` times before EOI."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 130, 140)).save(buf, "JPEG", quality=90, progressive=True)
    data = buf.getvalue()
    segments, i = [], 2
    while data[i + 1] != 0xD9:
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if data[i + 1] == 0xDA:  # entropy-coded data runs to the next marker (not FF00, not RSTn)
            while not (data[end] == 0xFF and data[end + 1] != 0x00 and not 0xD0 <= data[end + 1] <= 0xD7):
                end += 1
        segments.append(data[i:end])
        i = end
    ac = next(seg for seg in segments if seg[1] == 0xDA and seg[5 + 2 * seg[4]] > 0)  # Ss > 0
    path.write_bytes(data[:2] + b"".join(segments) + ac * scans + b"\xff\xd9")


def make_decode():
    DEC.mkdir(parents=True, exist_ok=True)
    W, H = 192, 144
    rgb = scene_rgb(W, H)
    grey = scene_grey(W, H)

    # --- JPEG --------------------------------------------------------------------------
    jpeg_opts = dict(quality=90, subsampling=2, optimize=False, progressive=False)
    Image.fromarray(rgb).save(DEC / "rgb.jpg", "JPEG", **jpeg_opts)
    im = decode_pillow(DEC / "rgb.jpg")
    fact("rgb.jpg", "jpeg", "ok", W, H, 3, np.asarray(im), False,
         "baseline JFIF, 4:2:0, quality 90, Pillow/libjpeg-turbo; pdq from Pillow's libjpeg-turbo decode "
         "(ISLOW IDCT, fancy upsampling); other IDCTs may move a few bits")

    Image.fromarray(grey).save(DEC / "grey.jpg", "JPEG", quality=90, optimize=False)
    im = decode_pillow(DEC / "grey.jpg")
    assert im.mode == "L"
    fact("grey.jpg", "jpeg", "ok", W, H, 1, np.asarray(im), False,
         "one-component (greyscale) baseline JPEG, quality 90: hash the grey values as luma, one channel")

    Image.fromarray(rgb).save(DEC / "progressive.jpg", "JPEG", quality=90, subsampling=2,
                              optimize=False, progressive=True)
    im = decode_pillow(DEC / "progressive.jpg")
    fact("progressive.jpg", "jpeg", "ok", W, H, 3, np.asarray(im), False,
         "progressive JPEG (SOF2), 4:2:0, quality 90, same picture as rgb.jpg")

    cmyk = cmyk_from_rgb(rgb)
    Image.fromarray(cmyk, "CMYK").save(DEC / "cmyk.jpg", "JPEG", quality=90, optimize=False)
    im = decode_pillow(DEC / "cmyk.jpg")
    assert im.mode == "CMYK" and im.info.get("adobe") is not None and im.info.get("adobe_transform") == 0
    dec_cmyk = np.asarray(im)  # Pillow un-inverts Adobe CMYK (rawmode CMYK;I) -> true ink amounts
    with Image.open(DEC / "cmyk.jpg") as raw:  # same file read without un-inverting
        raw.tile = [(t[0], t[1], t[2], ("CMYK",) + tuple(t[3][1:])) for t in raw.tile]
        raw.load()
        assert np.array_equal(np.asarray(raw), 255 - dec_cmyk)  # stored bytes are inverted
    im_rgb = imagemagick_cmyk_to_rgb(dec_cmyk)
    pil_rgb = np.asarray(im.convert("RGB"))
    diff = int(np.count_nonzero(np.any(im_rgb != pil_rgb, axis=2)))
    h_pil, _ = REF.hash(pil_rgb)
    h_im, _ = REF.hash(im_rgb)
    h_raw, _ = REF.hash(dec_cmyk[:, :, :3])
    fact("cmyk.jpg", "jpeg", "ok", W, H, 3, im_rgb, False,
         "4-component CMYK JPEG written by Pillow: Adobe APP14 marker, transform 0, INVERTED samples "
         "(Photoshop convention; a decoder must un-invert, i.e. ink = 255 - stored byte). Expected pdq = "
         "ImageMagick-6-Q16 conversion (no ICC): R = (255-C)(255-K)/255 via 16-bit rounding. "
         f"Pillow's own CMYK->RGB differs in {diff} pixels; its pdq is {hamming(h_pil, h_im)} bits away. "
         f"Hashing raw C,M,Y as RGB (wrong) is {hamming(h_raw, h_im)} bits away.")

    # --- PNG ---------------------------------------------------------------------------
    save_png(rgb, DEC / "rgb.png")
    fact("rgb.png", "png", "ok", W, H, 3, rgb, True, "8-bit RGB PNG, no ancillary chunks")

    save_png(grey, DEC / "grey.png")
    h_as_rgb, _ = REF.hash(np.dstack([grey, grey, grey]))
    h_as_grey, _ = REF.hash(grey)
    fact("grey.png", "png", "ok", W, H, 1, grey, True,
         "8-bit greyscale PNG (colour type 0, Pillow mode L). Hashing it as RGB with R=G=B (float32 "
         f"formula) is {hamming(h_as_rgb, h_as_grey)} bits away here: check `channels`, not only the hash")

    # 16-bit: high byte = picture; low byte = high byte + 50 below 128, - 50 from 128 up.
    # |low - high| = 50 < 128, so v >> 8 == round(v / 257) (png_set_strip_16 ==
    # png_set_scale_16), but keeping the LOW byte gives a different picture. The low byte
    # follows the high byte smoothly, so the file still compresses.
    ramp = np.arange(256)
    lo_of = np.where(ramp < 128, ramp + 50, ramp - 50).astype(np.uint16)
    g16 = (grey.astype(np.uint16) << 8) | lo_of[grey]
    write_png16(DEC / "grey16.png", g16)
    im = decode_pillow(DEC / "grey16.png")
    assert im.mode == "I;16" and np.array_equal(np.asarray(im), g16)
    g8 = (g16 >> 8).astype(np.uint8)
    assert np.array_equal(g8, np.floor((g16.astype(np.float64) + 128) / 257).astype(np.uint8))
    h_low, _ = REF.hash((g16 & 255).astype(np.uint8))
    h_ok, _ = REF.hash(g8)
    fact("grey16.png", "png", "ok", W, H, 1, g8, True,
         "16-bit greyscale PNG (Pillow mode I;16), no gAMA/sRGB chunk. Reference pixels = sample >> 8 "
         "(identical to round(v/257) by construction). Low byte = high byte +50 (<128) / -50 (>=128): a decoder "
         f"that keeps the low byte (what the reference's ImageMagick->CImg decode path evidently does, see README) lands "
         f"{hamming(h_low, h_ok)} bits away. libpng's simplified API treats 16-bit files without gAMA as LINEAR and gamma-encodes "
         "them when asked for 8 bits unless PNG_IMAGE_FLAG_16BIT_sRGB is set.")

    r16 = (rgb.astype(np.uint16) << 8) | lo_of[rgb]
    write_png16(DEC / "rgb16.png", r16)
    im = decode_pillow(DEC / "rgb16.png")
    # Pillow 13 opens 16-bit RGB PNGs as 8-bit RGB (it keeps the high byte); check that.
    assert np.array_equal(np.asarray(im.convert("RGB")), (r16 >> 8).astype(np.uint8))
    fact("rgb16.png", "png", "ok", W, H, 3, (r16 >> 8).astype(np.uint8), True,
         "16-bit RGB PNG (colour type 2, bit depth 16) written by hand with numpy+zlib, filter Up, "
         "no gAMA. Reference pixels = sample >> 8 (== round(v/257) here); low byte differs as in grey16.png")

    pal = Image.fromarray(rgb).quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    save_png(pal, DEC / "palette.png")
    im = decode_pillow(DEC / "palette.png")
    assert im.mode == "P"
    fact("palette.png", "png", "ok", W, H, 3, np.asarray(im.convert("RGB")), True,
         "8-bit palette PNG (colour type 3, 64 colours, median cut, no dither): expand to RGB")

    x, y = grid(W, H)
    alpha = u8(40 + 215 * x / (W - 1))
    rgba_rgb = rgb.copy()
    hidden = (x > 0.05 * W) & (x < 0.3 * W) & (y > 0.65 * H) & (y < 0.95 * H)
    rgba_rgb[hidden] = [255, 255, 255]
    alpha[hidden] = 0  # fully transparent white block: compositing would change the hash
    rgba = np.dstack([rgba_rgb, alpha])
    save_png(Image.fromarray(rgba, "RGBA"), DEC / "rgba.png")
    h_comp_black, _ = REF.hash(u8(rgba_rgb * (alpha[:, :, None] / 255.0)))
    h_nocomp, _ = REF.hash(rgba_rgb)
    fact("rgba.png", "png", "ok", W, H, 3, rgba_rgb, True,
         "RGBA PNG, alpha ramps 40..255 left to right, plus a fully transparent white block. Reference "
         "drops alpha WITHOUT compositing (hash the stored RGB). Compositing over black would be "
         f"{hamming(h_comp_black, h_nocomp)} bits away.")

    la = np.dstack([grey, alpha])
    save_png(Image.fromarray(la, "LA"), DEC / "la.png")
    fact("la.png", "png", "ok", W, H, 1, grey, True,
         "grey + alpha PNG (colour type 4): drop alpha without compositing, hash the grey channel (1 channel)")

    # --- GIF ---------------------------------------------------------------------------
    gpal = Image.fromarray(rgb).quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    gpal.save(DEC / "gif.gif", "GIF", optimize=False)
    im = decode_pillow(DEC / "gif.gif")
    fact("gif.gif", "gif", "ok", W, H, 3, np.asarray(im.convert("RGB")), True,
         "static GIF89a, 128-colour palette (median cut, no dither), Pillow writer")

    aw, ah, frames = 64, 48, 3000
    small = scene_rgb(aw, ah)
    first = write_animated_gif(DEC / "animated.gif", small, frames)
    with Image.open(DEC / "animated.gif") as im:
        assert im.n_frames == frames, im.n_frames
        im.seek(0)
        f0 = np.asarray(im.convert("RGB"))
    assert np.array_equal(f0, first)
    fact("animated.gif", "gif", "ok", aw, ah, 3, first, True,
         f"animated GIF89a, {aw}x{ah}, {frames} frames, NETSCAPE loop; frame 1 is the picture (256-colour "
         "global palette), frames 2..3000 each change one pixel in the bottom-right 16x12 corner (1x1 "
         "sub-images, no GCE after frame 1). pdq = FIRST FRAME only. Written by hand (literal-code LZW).")

    # --- BMP, TIFF, WebP ---------------------------------------------------------------
    small_bmp = scene_rgb(128, 96)  # uncompressed: 37 KB instead of 83 KB at 192x144
    Image.fromarray(small_bmp).save(DEC / "bmp.bmp", "BMP")
    assert np.array_equal(np.asarray(decode_pillow(DEC / "bmp.bmp")), small_bmp)
    fact("bmp.bmp", "bmp", "ok", 128, 96, 3, small_bmp, True,
         "24-bit uncompressed BMP (BITMAPINFOHEADER, bottom-up rows, BGR), the scene at 128x96 to keep it small")

    Image.fromarray(rgb).save(DEC / "tiff.tiff", "TIFF", compression="tiff_lzw", tiffinfo={317: 2})
    with Image.open(DEC / "tiff.tiff") as im:
        assert im.tag_v2.get(317) == 2 and im.tag_v2.get(259) == 5  # predictor, LZW
        assert np.array_equal(np.asarray(im), rgb)
    fact("tiff.tiff", "tiff", "ok", W, H, 3, rgb, True,
         "RGB TIFF, 8 bits, chunky, LZW with horizontal-differencing predictor (tag 317 = 2), "
         "little-endian, Pillow/libtiff")

    Image.fromarray(grey).save(DEC / "grey.tiff", "TIFF", compression="tiff_lzw")
    im = decode_pillow(DEC / "grey.tiff")
    assert im.mode == "L" and np.array_equal(np.asarray(im), grey)
    fact("grey.tiff", "tiff", "ok", W, H, 1, grey, True,
         "greyscale TIFF (MinIsBlack), 8 bits, LZW without predictor")

    Image.fromarray(rgb).save(DEC / "webp-lossless.webp", "WEBP", lossless=True, quality=100, method=6, exact=True)
    im = decode_pillow(DEC / "webp-lossless.webp")
    assert np.array_equal(np.asarray(im.convert("RGB")), rgb)
    fact("webp-lossless.webp", "webp", "ok", W, H, 3, rgb, True,
         "lossless WebP (VP8L), libwebp 1.6 via Pillow, method 6: decodes to exactly rgb.png's pixels")

    Image.fromarray(rgb).save(DEC / "webp-lossy.webp", "WEBP", lossless=False, quality=80, method=4)
    im = decode_pillow(DEC / "webp-lossy.webp")
    fact("webp-lossy.webp", "webp", "ok", W, H, 3, np.asarray(im.convert("RGB")), False,
         "lossy WebP (VP8), quality 80, method 4; pdq from libwebp's decode (Pillow); "
         "YUV->RGB upsampling differs between decoders")

    # --- bad inputs --------------------------------------------------------------------
    good = (DEC / "rgb.jpg").read_bytes()
    cut = good[: len(good) * 6 // 10]
    (DEC / "truncated.jpg").write_bytes(cut)
    # libjpeg(-turbo)'s stdio/memory source managers insert a fake EOI at end of data: decode
    # cut + FFD9, the rest of the scan becomes zero coefficients = mid grey.
    with Image.open(io.BytesIO(cut + b"\xff\xd9")) as im:
        im.load()
        tr = np.asarray(im).copy()
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with Image.open(DEC / "truncated.jpg") as im:
            im.load()
            tr2 = np.asarray(im).copy()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    assert np.array_equal(tr, tr2)
    grey_rows = int(np.count_nonzero(np.all(tr == 128, axis=(1, 2))))
    fact("truncated.jpg", "jpeg", "damaged", W, H, 3, tr, False,
         f"first 60 % ({len(cut)} of {len(good)} bytes) of rgb.jpg, no EOI. libjpeg-turbo warns "
         f"(premature end of data), inserts EOI and fills the rest: {grey_rows} bottom rows are exactly "
         "grey 128. pdq of that filled picture (Pillow with a fake FFD9 == LOAD_TRUNCATED_IMAGES).")

    rng = np.random.default_rng(4096)
    junk = rng.integers(0, 255, size=4096, dtype=np.uint8)  # 0..254: never 0xFF, so no marker
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    (DEC / "garbage-after-header.jpg").write_bytes(b"\xff\xd8" + app0 + junk.tobytes())
    try:
        decode_pillow(DEC / "garbage-after-header.jpg")
        raise AssertionError("garbage-after-header.jpg decoded")
    except (OSError, SyntaxError):
        pass
    fact("garbage-after-header.jpg", "jpeg", "error", None, None, None, None, None,
         "SOI + 16-byte JFIF APP0, then 4096 seeded random bytes with no 0xFF (no further marker): "
         "libjpeg reads to the end without an SOF/SOS -> 'JPEG datastream contains no image'")

    png = bytearray((DEC / "rgb.png").read_bytes())
    idat = next(c for c in png_chunks(bytes(png)) if c[1] == b"IDAT")
    crc_at = idat[0] + 8 + idat[2] + 3  # last byte of the first IDAT's CRC
    png[crc_at] ^= 0x01
    (DEC / "bad-crc.png").write_bytes(bytes(png))
    fact("bad-crc.png", "png", "error", W, H, None, None, None,
         f"rgb.png with the last CRC byte of the first IDAT flipped (offset {crc_at}). libpng treats a CRC "
         "error in a critical chunk as an error (the simplified API fails). IHDR is intact, so the "
         "dimensions can still be read. NB: Pillow does not check IDAT CRCs and decodes it.")

    tiny = np.zeros((1, 1 + 3 * 8), np.uint8).tobytes()  # one filter byte + 8 black pixels
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    (DEC / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                                   + png_chunk(b"IDAT", zlib.compress(tiny, 9)) + png_chunk(b"IEND", b""))
    try:
        decode_pillow(DEC / "huge.png")
        raise AssertionError("huge.png decoded")
    except Image.DecompressionBombError:
        pass
    fact("huge.png", "png", "dimension-limit", 100000, 100000, None, None, None,
         "valid signature, IHDR declares 100000x100000 RGB 8-bit (correct CRC), IDAT holds 8 pixels. "
         "Must be refused from the header (1e10 pixels, 30 GB) before any allocation. libpng's own default "
         "limit is 1,000,000 per side, so the limit must be triage's. Pillow raises DecompressionBombError.")

    strip = np.zeros((1, 1 + 3 * 8), np.uint8).tobytes()
    ihdr = struct.pack(">IIBBBBB", 2_000_000, 5, 8, 2, 0, 0, 0)
    (DEC / "wide.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                                   + png_chunk(b"IDAT", zlib.compress(strip, 9)) + png_chunk(b"IEND", b""))
    fact("wide.png", "png", "dimension-limit", 2_000_000, 5, None, None, None,
         "IHDR declares 2000000x5 RGB 8-bit (10 megapixels, under the pixel limit), IDAT holds 8 pixels. "
         "Refused from the header: a side over 1,000,000 pixels (libpng's own default limit, which triage "
         "applies itself since it lifts libpng's to judge sizes first).")

    one = np.array([[[200, 40, 90]]], np.uint8)
    save_png(one, DEC / "one.png")
    fact("one.png", "png", "ok", 1, 1, 3, one, True,
         "1x1 RGB: decodes; PDQ needs >= 5 px per side, so the hash is all zero, quality 0")

    four = noise(4, 4, 3, 44)
    save_png(four, DEC / "four.png")
    fact("four.png", "png", "ok", 4, 4, 3, four, True, "4x4 RGB noise: decodes; all-zero hash, quality 0")

    many_scans(DEC / "many-scans.jpg", scans=1000)
    fact("many-scans.jpg", "jpeg", "error", 64, 64, None, None, None,
         "progressive JPEG of a flat 64x64 picture (Pillow), its first AC scan repeated 1,000 times "
         "(11 bytes each): the decoding-time attack of libjpeg-turbo's 'Two Issues with the JPEG "
         "Standard'. Each scan costs a pass over the whole image, so a few hundred KB of scans keep a "
         "decoder busy for minutes. Refused: libjpeg-turbo's scan limit (TJFLAG_LIMITSCANS, 500 scans). "
         "Without the limit it decodes with a warning ('Inconsistent progression sequence').")

    # --- no decoder --------------------------------------------------------------------
    Image.fromarray(rgb).save(DEC / "jp2.jp2", "JPEG2000", irreversible=True,
                              quality_mode="rates", quality_layers=[24], no_jp2=False)
    fact("jp2.jp2", "jpeg2000", "no-decoder", W, H, None, None, None,
         "JPEG 2000 (JP2 boxes), OpenJPEG via Pillow, irreversible 9-7, rate 24: libmagic says image/jp2, "
         "triage has no JPEG 2000 decoder")

    write_psd(DEC / "psd.psd", scene_rgb(64, 48))
    fact("psd.psd", "psd", "no-decoder", 64, 48, None, None, None,
         "hand-written Photoshop PSD v1, 64x48 RGB 8-bit, raw planar data: libmagic says "
         "image/vnd.adobe.photoshop, triage has no PSD decoder")

    # --- HEIC (libheif-examples' heif-enc: x265; Pillow cannot write HEIF) ----------------
    heic_source = DEC / "heic-source.png"
    save_png(rgb, heic_source)
    made = shutil.which("heif-enc") and shutil.which("heif-convert") and subprocess.run(
        ["heif-enc", "-q", "90", "-o", str(DEC / "heic.heic"), str(heic_source)], capture_output=True).returncode == 0
    heic_source.unlink()
    if made:
        decoded = DEC / "heic-decoded.png"
        subprocess.run(["heif-convert", str(DEC / "heic.heic"), str(decoded)], check=True, capture_output=True)
        pixels = np.asarray(decode_pillow(decoded).convert("RGB"))
        decoded.unlink()
        fact("heic.heic", "heic", "ok", W, H, 3, pixels, False,
             "HEIC (HEVC still image) made by heif-enc -q 90 (libheif 1.15, x265) from the scene; pdq from heif-convert's "
             "decode (libheif, as triage uses); another HEVC decoder may move a few bits")
    else:
        print("note: heif-enc/heif-convert (Debian libheif-examples) not found: no HEIC file made", file=sys.stderr)

    (DEC / "facts.json").write_text(json.dumps(FACTS, indent=2) + "\n")


# ----------------------------------------------------------------------------------------
# 3. README
# ----------------------------------------------------------------------------------------


def write_readme(vrows, ver, curated_diff, files):
    L = []
    L.append("# Imaging fixtures: PDQ conformance vectors and a decoder corpus\n")
    L.append("**Generated by `make-imaging.py` — do not edit by hand; change the script and rerun** "
             "(`python3 Fixtures/imaging/make-imaging.py`; needs numpy, Pillow 13 and pdqhash "
             f"{PDQHASH_VERSION}). Fixed seeds and pinned encoder options: two runs give byte-identical "
             "files on the same machine. Every picture is synthetic and abstract (gradients, shapes, "
             "stripes, noise).\n")
    L.append("## How the expected hashes were computed\n")
    L.append(f"- **pdqhash {PDQHASH_VERSION}** (PyPI; Cython bindings of Meta's C++ reference), "
             f"with Pillow {PIL.__version__} and numpy {np.__version__}.")
    L.append("- **Library semantics**: the full decoded image is hashed (`pdqHash256FromFloatLuma`, "
             "`pdqDihedralHash256esFromFloatLuma`); no 512x512 pre-resize (that is the reference CLI's extra step).")
    L.append("- **Luma by the reference itself.** pdqhash's Python API only accepts 3-channel uint8 and "
             "computes luma in numpy float64 (`image[:,:,0]*0.299 + ...`, then cast to float32), which is "
             "not the reference's float32 arithmetic, and it has no float-luma entry point (`compute_float` "
             "returns the 16x16 DCT, not a float-input hash). The script therefore calls the C++ functions "
             "exported by pdqhash's extension module through ctypes: `facebook::pdq::hashing::"
             "fillFloatLumaFromRGB` (Y = 0.299f*R + 0.587f*G + 0.114f*B in float32) for RGB, "
             "`fillFloatLumaFromGrey` (Y = (float)grey) for one-channel grey, then "
             "`pdqHash256FromFloatLuma` / `pdqDihedralHash256esFromFloatLuma`.")
    L.append("- **Cross-check** with the public API on every hash: RGB `pdqhash.compute(rgb_uint8)`, grey "
             "`pdqhash.compute(np.dstack([g, g, g]))` (in float64, 0.299g+0.587g+0.114g rounds back to "
             "exactly g for all 256 values, so this equals the grey path; note that the float32 RGB formula "
             f"with R=G=B does NOT, for 35 of 256 values). Result: {CROSS['checked']} hashes compared, "
             f"{len(CROSS['mismatch'])} mismatches.")
    L.append("- **Bit order.** The reference keeps bit k in 16-bit word `w[k >> 4]` at bit `k & 15`; hex = "
             "`w[15]`..`w[0]` as `%04x`. pdqhash's API returns a 256-element 0/1 vector that is bit 255 first "
             "(`hash_to_vector(w)[::-1]`), so hex = that vector read as a big-endian binary number.")
    L.append("- Grey images (mode L, LA, 16-bit grey, one-component JPEG) are hashed as ONE channel. "
             "Alpha is dropped without compositing. 16-bit samples are reduced by `>> 8`. EXIF orientation "
             "is not applied. Images under 5 px on a side give the all-zero hash, quality 0.\n")
    L.append("## Verification of the method against ../shared/testdata/pdq\n")
    if not ver.get("found"):
        L.append("`../shared/testdata/pdq` was not found when this README was generated.\n")
    else:
        n = len(ver["rows"])
        ok = sum(1 for r in ver["rows"] if r[3])
        dn = sum(1 for r in ver["rows"] if r[4] is not None)
        dok = sum(1 for r in ver["rows"] if r[4])
        L.append(f"Every file in `pixels/` hashed by this script's pipeline (Pillow decode; mode L as grey, "
                 f"RGB as RGB) against `expected-noresize.txt`: **{ok} of {n} bit-exact** (hash and "
                 f"quality); dihedral against `expected-dihedral-noresize.txt`: **{dok} of {dn}**.\n")
        L.append("| file | mode | hash | dihedral |")
        L.append("|---|---|---|---|")
        for key, mode, ch, okk, dokk, got, exp in ver["rows"]:
            L.append(f"| `{key}` | {mode} | {'exact' if okk else 'MISMATCH'} | "
                     f"{'-' if dokk is None else ('exact' if dokk else 'MISMATCH')} |")
        L.append("")
        i16 = ver.get("i16")
        if i16:
            L.append("Not a `pixels/` file, but telling: for the 16-bit grey `images/pte/I16.png` the shared "
                     "`expected-noresize.txt` hash equals the hash of the sample's **low byte** "
                     f"({i16['d_low']} bits away) and not of `sample >> 8` ({i16['d_high']} bits away). The "
                     "reference's decode path (ImageMagick -> 16-bit PNM -> `CImg<uint8_t>`) evidently truncates "
                     "16-bit samples modulo 256. This corpus uses the correct `>> 8` reduction instead "
                     "(`grey16.png`, `rgb16.png`).\n")
    L.append("## vectors/ — PDQ conformance vectors\n")
    L.append("Lossless 8-bit PNGs (no ancillary chunks): any correct PNG decoder returns identical pixels, "
             "so a correct PDQ must reproduce `expected.txt` and `expected-dihedral.txt` **bit for bit**. "
             "`expected.txt`: `<64-hex hash> <quality> <file>`; `expected-dihedral.txt`: `<orig> <rot90> "
             "<rot180> <rot270> <flipx> <flipy> <flipplus1> <flipminus1> <quality> <file>`; `#` lines are "
             "comments.\n")
    L.append("| file | mode | size | content | quality |")
    L.append("|---|---|---|---|---|")
    for name, mode, w, h, desc, hx, q in vrows:
        L.append(f"| `{name}` | {mode} | {w}x{h} | {desc} | {q} |")
    L.append("")
    L.append("## decode/ — decoder corpus\n")
    L.append("`facts.json` lists one object per file: `file`, `format`, `outcome` (`ok` decodes; `damaged` "
             "decodes with warnings; `error` cannot decode; `dimension-limit` declared dimensions too big; "
             "`no-decoder` libmagic says image/* but triage has no decoder for it), `width`, `height` "
             "(null when unknown), `channels` (what the hasher receives: 1 for true grey, else 3; null when "
             "nothing decodes), `pdq` and `pdq_quality` (reference hash of the correctly decoded pixels, "
             "null when nothing decodes), `pdq_exact` (true: every correct decoder gives these pixels, "
             "require the exact hash; false: lossy format, a different IDCT/upsampler may move a few bits, "
             "allow a small Hamming distance), `note`, and `mime` (`file --mime-type -b`, file 5.44, "
             "system database).\n")
    if curated_diff:
        L.append("MIME types that differ with triage's curated magic (`Sources/Identification/Magic/Magdir`): "
                 + ", ".join(f"`{f}`: {a} vs {b}" for f, a, b in curated_diff) + ".\n")
    else:
        L.append("triage's curated magic database (`Sources/Identification/Magic/Magdir`) gives the same "
                 "MIME type for every file.\n")
    L.append("Many `ok` files share one hash: they carry the same picture, and PDQ shrugs off JPEG q90, "
             "WebP q80 and palette reduction on it. A wrong decode still shows: raw CMYK, composited alpha, "
             "the 16-bit low byte and the truncated JPEG are all far away (see the notes). Hashing a grey "
             "image as R=G=B RGB does NOT change these hashes, so tests must check `channels` directly.\n")
    L.append("The base picture is a 192x144 abstract scene (linear colour gradients, a red disc in a yellow ring, "
             "a green bar, a blue triangle). Grey files use its rounded reference luma.\n")
    L.append("| file | outcome | mime | size | ch | quality | exact | note |")
    L.append("|---|---|---|---|---|---|---|---|")
    for f in FACTS:
        size = f"{f['width']}x{f['height']}" if f["width"] else "-"
        L.append(f"| `{f['file']}` | {f['outcome']} | {f['mime']} | {size} | {f['channels'] or '-'} | "
                 f"{'-' if f['pdq_quality'] is None else f['pdq_quality']} | "
                 f"{'-' if f['pdq_exact'] is None else str(f['pdq_exact']).lower()} | {f['note']} |")
    L.append("")
    L.append("## Not made\n")
    if not any(f["file"] == "heic.heic" for f in FACTS):
        L.append("- **HEIC**: Pillow cannot write HEIF without the `pillow-heif` plugin, and heif-enc "
                 "(Debian `libheif-examples`) was not found; no HEIC file is included.")
    L.append("- **AVIF**: Pillow 13 can write AVIF, but whether triage decodes it depends on its HEIF decoder "
             "having an AV1 codec, so the expected outcome is not fixed; not included.\n")
    L.append("## Sizes\n")
    total = sum(s for _, s in files)
    L.append(f"{len(files)} files, {total} bytes in all (README excluded).\n")
    (HERE / "README.md").write_text("\n".join(L))


# ----------------------------------------------------------------------------------------


def main():
    for d in (VEC, DEC):
        if d.exists():
            shutil.rmtree(d)
    ver = verify_shared()
    vrows = make_vectors()
    make_decode()

    curated = HERE.parent.parent / "Sources" / "Identification" / "Magic" / "Magdir"
    curated_diff = []
    if curated.is_dir():
        for f in FACTS:
            m2 = mime_of(DEC / f["file"], str(curated))
            if m2 != f["mime"]:
                curated_diff.append((f["file"], f["mime"], m2))

    files = []
    for d in (VEC, DEC):
        for p in sorted(d.iterdir()):
            files.append((p.relative_to(HERE).as_posix(), p.stat().st_size))
    files.append(("make-imaging.py", (HERE / "make-imaging.py").stat().st_size))
    write_readme(vrows, ver, curated_diff, files)

    # ---- summary ----
    print(f"pdqhash {pdqhash.__version__}, Pillow {PIL.__version__}, numpy {np.__version__}")
    if ver.get("found"):
        rows = ver["rows"]
        print(f"verify {ver['base']}/pixels: hash {sum(r[3] for r in rows)}/{len(rows)} exact, "
              f"dihedral {sum(1 for r in rows if r[4])}/{sum(1 for r in rows if r[4] is not None)} exact")
        for r in rows:
            if not r[3] or r[4] is False:
                print("  MISMATCH", r[0], r[5], r[6])
        if ver.get("i16"):
            i = ver["i16"]
            print(f"  I16.png (16-bit): expected is {i['d_low']} bits from the low byte, {i['d_high']} from >> 8")
    else:
        print("verify: ../shared/testdata/pdq not found, skipped")
    print(f"public-API cross-check: {CROSS['checked']} compared, {len(CROSS['mismatch'])} mismatches")
    for m in CROSS["mismatch"]:
        print("  ", m)
    print(f"vectors: {len(vrows)} PNGs")
    for name, mode, w, h, desc, hx, q in vrows:
        print(f"  {hx} {q:3d} {name}")
    print(f"decode: {len(FACTS)} files")
    for f in FACTS:
        print(f"  {f['file']:26s} {f['outcome']:15s} {str(f['mime']):27s} q={f['pdq_quality']}")
    if curated_diff:
        print("curated magic differs:", curated_diff)
    total = 0
    digest = hashlib.sha256()
    for rel, size in files + [("README.md", (HERE / "README.md").stat().st_size)]:
        total += size
        digest.update(rel.encode() + b"\0" + (HERE / rel).read_bytes())
    print(f"total {total} bytes in {len(files) + 1} files; tree sha256 {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
