#!/usr/bin/env python3
"""Regenerate the synthetic test fixtures for triage.

Everything under Fixtures/evidence, Fixtures/hashsets and Fixtures/expected,
plus Fixtures/README.md, is produced by this script; edit the script, not the
outputs. Running it twice on the same machine yields byte-identical files.

All pictures are abstract, text-free patterns (gradients, shapes, grids,
noise) so the fixtures are safe to ship and to look at. The hash sets pretend
some of them are categorised material purely so the import/match code paths
have something to find.

Usage: python3 Fixtures/make-fixtures.py   (needs Pillow, numpy and pdqhash)

The PDQ perceptual hashes (pdqhash, the Python binding of the reference C++
code) are computed from Pillow-decoded pixels of exactly the bytes written,
and the script refuses to write anything if a perceptual expectation (altered
copy close to its original, unknown picture far from every known one) fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFile, ImageFilter

ROOT = Path(__file__).resolve().parent

# Only these are wiped and rebuilt, so the script and anything hand-written
# next to it survive a regeneration while stale outputs cannot linger.
# expected/ is not wiped: expected/report.txt is the golden report written by
# the tests (TRIAGE_UPDATE_EXPECTED=1), not by this script; the one file this
# script writes there, expected/fixture-facts.json, is simply overwritten.
GENERATED_DIRS = ("evidence", "hashsets")

# The project's default "uk" profile: VICS category code -> triage category.
UK_PROFILE = {0: "N", 1: "A", 2: "B", 3: "C"}

# The category the user passes on the command line when importing known.md5.
KNOWN_MD5_CATEGORY = "C"

IMAGE_FORMATS = {"jpeg", "png", "gif", "bmp", "webp", "tiff"}

# What content each extension promises. Extensions not listed (e.g. .bin)
# promise nothing, so they can never be a mismatch.
EXTENSION_FORMATS = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif",
    ".bmp": "bmp", ".webp": "webp", ".tif": "tiff", ".tiff": "tiff",
    ".txt": "text", ".csv": "text", ".dll": "pe-executable",
}


# --------------------------------------------------------------------------
# Deterministic randomness
# --------------------------------------------------------------------------

def det_bytes(seed: str, n: int) -> bytes:
    """SHA-256 in counter mode.

    numpy's Generator streams are not promised to be stable across numpy
    releases, and random.randbytes is not promised stable across Python
    releases; a hash stream is, so noise pixels and blob.bin never drift.
    """
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


def det_array(seed: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(det_bytes(seed, int(np.prod(shape))), dtype=np.uint8).reshape(shape)


def det_unit(seed: str, n: int) -> np.ndarray:
    """n deterministic floats in [0, 1), from the same hash stream."""
    return np.frombuffer(det_bytes(seed, 4 * n), dtype=">u4").astype(np.float64) / 2**32


# --------------------------------------------------------------------------
# Picture generators (pure functions of fixed parameters)
# --------------------------------------------------------------------------

def grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    return x, y


def to_u8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def rgb(r: np.ndarray, g: np.ndarray, b: np.ndarray) -> Image.Image:
    return Image.fromarray(np.dstack([to_u8(r), to_u8(g), to_u8(b)]))


def linear_gradient(w: int = 160, h: int = 120) -> Image.Image:
    x, y = grid(w, h)
    return rgb(255 * x / (w - 1), 255 * y / (h - 1), 96 + 0 * x)


def checkerboard(w: int = 128, h: int = 128, cell: int = 16) -> Image.Image:
    x, y = grid(w, h)
    on = ((x // cell + y // cell) % 2).astype(bool)
    return rgb(np.where(on, 230, 30), np.where(on, 200, 60), np.where(on, 40, 140))


def circles(w: int = 200, h: int = 150) -> Image.Image:
    img = Image.new("RGB", (w, h), (18, 52, 86))
    d = ImageDraw.Draw(img)
    for i, (cx, cy, r) in enumerate([(50, 50, 35), (120, 70, 50), (160, 30, 20), (70, 115, 28)]):
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(200 - 30 * i, 80 + 40 * i, 60 + 25 * i))
    return img


def diagonal_stripes(w: int = 128, h: int = 96, period: int = 12) -> Image.Image:
    x, y = grid(w, h)
    band = ((x + y) // period) % 3
    return rgb(np.choose(band.astype(int), [250, 40, 120]),
               np.choose(band.astype(int), [180, 160, 40]),
               np.choose(band.astype(int), [60, 220, 160]))


def radial_grey(w: int = 96, h: int = 96) -> Image.Image:
    x, y = grid(w, h)
    r = np.hypot(x - w / 2, y - h / 2) / np.hypot(w / 2, h / 2)
    return Image.fromarray(to_u8(255 * (1 - r)))  # 2-D uint8 -> mode "L"


def alpha_shapes(w: int = 128, h: int = 128) -> Image.Image:
    # Fully transparent background with partly transparent shapes, so a
    # reader that drops alpha still gets a plausible picture.
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rectangle((10, 10, 80, 80), fill=(255, 0, 0, 160))
    d.ellipse((48, 48, 118, 118), fill=(0, 90, 255, 200))
    d.polygon([(64, 4), (124, 60), (4, 60)], fill=(20, 200, 60, 96))
    return img


def palette_diamonds(w: int = 96, h: int = 96) -> Image.Image:
    x, y = grid(w, h)
    idx = ((np.abs(x - w / 2) + np.abs(y - h / 2)) // 8 % 8).astype(np.uint8)
    img = Image.frombytes("P", (w, h), idx.tobytes())
    palette = []
    for i in range(8):
        palette += [(i * 37) % 256, (255 - i * 29) % 256, (i * 91) % 256]
    img.putpalette(palette)
    return img


def plasma(w: int = 64, h: int = 64) -> Image.Image:
    x, y = grid(w, h)
    v = np.sin(x / 6) + np.sin(y / 9) + np.sin((x + y) / 11)
    return rgb(128 + 40 * v, 128 + 40 * np.sin(v * 2), 128 - 40 * v)


def hue_wheel(w: int = 128, h: int = 128) -> Image.Image:
    x, y = grid(w, h)
    ang = np.arctan2(y - h / 2, x - w / 2)
    return rgb(128 + 127 * np.cos(ang), 128 + 127 * np.cos(ang - 2.094), 128 + 127 * np.cos(ang + 2.094))


def grid_lines(w: int = 96, h: int = 96, step: int = 12) -> Image.Image:
    x, y = grid(w, h)
    line = (x % step < 2) | (y % step < 2)
    return rgb(np.where(line, 20, 235), np.where(line, 20, 225), np.where(line, 120, 200))


def interference(w: int = 120, h: int = 120) -> Image.Image:
    x, y = grid(w, h)
    a = np.sin(np.hypot(x - 30, y - 30) / 4)
    b = np.sin(np.hypot(x - 90, y - 80) / 5)
    return rgb(128 + 100 * a, 128 + 100 * b, 128 + 60 * a * b)


def block_noise(seed: str, w: int = 128, h: int = 128, block: int = 8) -> Image.Image:
    # Blocky rather than per-pixel noise keeps the JPEG small but still
    # clearly "random".
    small = det_array(seed, (h // block, w // block, 3))
    return Image.fromarray(small).resize((w, h), Image.Resampling.NEAREST)


def concentric_squares(w: int = 112, h: int = 112) -> Image.Image:
    x, y = grid(w, h)
    ring = (np.maximum(np.abs(x - w / 2), np.abs(y - h / 2)) // 7 % 2).astype(bool)
    return rgb(np.where(ring, 250, 70), np.where(ring, 120, 70), np.where(ring, 30, 200))


def triangles(w: int = 80, h: int = 80) -> Image.Image:
    img = Image.new("RGB", (w, h), (240, 240, 220))
    d = ImageDraw.Draw(img)
    for i in range(4):
        o = i * 18
        d.polygon([(o, 70), (o + 16, 10 + i * 8), (o + 32, 70)], fill=(60 * i, 120, 200 - 40 * i))
    return img


def rings_gradient(w: int = 256, h: int = 192) -> Image.Image:
    # Larger and busier than the rest so that 60% of its JPEG stream ends
    # well inside the entropy-coded scan, not in the headers.
    x, y = grid(w, h)
    r = np.hypot(x - w / 2, y - h / 2)
    return rgb(255 * x / w, 128 + 100 * np.sin(r / 5), 255 * y / h)


def smooth_noise(seed: str, w: int, h: int, cell: int) -> np.ndarray:
    """Value noise in [-0.5, 0.5]: a seeded lattice every `cell` pixels,
    smoothstep-interpolated (numpy only, so no resampler can drift)."""
    lattice = det_array(seed, (h // cell + 2, w // cell + 2)).astype(np.float64) / 255 - 0.5
    x, y = grid(w, h)
    fx, fy = x / cell, y / cell
    x0, y0 = fx.astype(int), fy.astype(int)
    tx, ty = fx - x0, fy - y0
    tx, ty = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
    return (lattice[y0, x0] * (1 - tx) * (1 - ty) + lattice[y0, x0 + 1] * tx * (1 - ty)
            + lattice[y0 + 1, x0] * (1 - tx) * ty + lattice[y0 + 1, x0 + 1] * tx * ty)


def photo_scene(seed: str, w: int, h: int, sky: tuple[tuple[int, int, int], tuple[int, int, int]],
                ground: tuple[tuple[int, int, int], tuple[int, int, int]], shapes: int = 7) -> Image.Image:
    """A "photo-like" abstract scene: enough large-scale structure and texture
    for a PDQ quality of 100, nothing recognisable. Layers: a two-colour sky
    over a wavy horizon with a shaded ground, a soft light fall-off, `shapes`
    translucent ellipses/boxes/triangles of seeded size, place and colour,
    smooth texture, fine grain, then a slight blur. All parameters come from
    the SHA-256 stream seeded with `seed`."""
    x, y = grid(w, h)
    u = det_unit(seed + ":layout", 8 + 7 * shapes)
    horizon = (h * (0.35 + 0.3 * u[0])
               + h * 0.08 * np.sin(x / w * (2 + 4 * u[1]) * np.pi + 6 * u[2])
               + h * 0.04 * np.sin(x / w * (7 + 5 * u[3]) * np.pi))
    s0, s1 = (np.array(c, dtype=np.float64) for c in sky)
    g0, g1 = (np.array(c, dtype=np.float64) for c in ground)
    t = np.clip(y / horizon, 0, 1)[..., None]
    gt = np.clip((y - horizon) / (h - horizon + 1), 0, 1)[..., None]
    sky_px = s0 * (1 - t) + s1 * t
    ground_px = (g0 * (1 - gt) + g1 * gt) * (0.8 + 0.4 * x / w)[..., None]
    img = np.where((y < horizon)[..., None], sky_px, ground_px)
    lx, ly = w * (0.15 + 0.7 * u[4]), h * (0.1 + 0.3 * u[5])
    light = np.exp(-((x - lx) ** 2 + (y - ly) ** 2) / (2 * (0.35 * w) ** 2))
    img = img * (0.75 + 0.45 * light)[..., None]
    for i in range(shapes):
        v = u[8 + 7 * i: 15 + 7 * i]
        cx, cy = w * v[0], h * (0.2 + 0.75 * v[1])
        rx, ry = w * (0.04 + 0.16 * v[2]), h * (0.04 + 0.2 * v[3])
        colour = np.array([40 + 200 * v[4], 40 + 200 * v[5], 40 + 200 * v[6]])
        if i % 3 == 0:
            mask = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
        elif i % 3 == 1:
            mask = (np.abs(x - cx) <= rx) & (np.abs(y - cy) <= ry * 0.7)
        else:
            mask = (y >= cy - ry) & (y <= cy + ry) & (np.abs(x - cx) <= (y - (cy - ry)) * rx / (2 * ry))
        shade = (0.85 - 0.3 * (y - cy) / (2 * ry + 1))[..., None]
        alpha = 0.55 + 0.4 * v[6]
        img = np.where(mask[..., None], img * (1 - alpha) + alpha * colour * shade, img)
    img = img + 18 * smooth_noise(seed + ":texture", w, h, 24)[..., None]
    img = img + 6 * smooth_noise(seed + ":fine", w, h, 4)[..., None]
    img = img + 4 * (det_array(seed + ":grain", (h, w)).astype(np.float64) / 255 - 0.5)[..., None]
    return Image.fromarray(to_u8(img)).filter(ImageFilter.GaussianBlur(0.8))


# (name, width, height, sky top/bottom, ground near/far). Colours only steer
# the mood; the layout is seeded by the name.
PHOTO_SCENES = {
    "meadow": (480, 360, ((120, 170, 230), (220, 230, 240)), ((70, 140, 50), (30, 80, 30))),
    "harbour": (512, 384, ((40, 60, 120), (240, 170, 110)), ((30, 60, 110), (10, 30, 60))),
    "dunes": (480, 320, ((150, 190, 240), (250, 240, 220)), ((230, 190, 120), (170, 110, 60))),
    "lagoon": (448, 336, ((200, 220, 250), (160, 200, 240)), ((40, 170, 170), (10, 90, 110))),
    "orchard": (400, 300, ((250, 210, 160), (250, 240, 200)), ((110, 120, 40), (60, 70, 20))),
    # Unknown decoys in the same style: they must never match a known one.
    "copse": (480, 360, ((120, 170, 230), (220, 230, 240)), ((70, 140, 50), (30, 80, 30))),
    "quarry": (448, 336, ((180, 180, 190), (230, 230, 235)), ((140, 130, 120), (80, 75, 70))),
}


def scene(name: str) -> Image.Image:
    w, h, sky, ground = PHOTO_SCENES[name]
    return photo_scene(name, w, h, sky, ground)


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------

# Pinned encoder options: defaults can change between Pillow releases, and
# any change would change every hash below.
SAVE_OPTIONS = {
    "jpeg": {"format": "JPEG", "quality": 85, "subsampling": 2, "optimize": False, "progressive": False},
    "png": {"format": "PNG", "optimize": False, "compress_level": 9},
    "gif": {"format": "GIF", "optimize": False},
    "bmp": {"format": "BMP"},
    "webp": {"format": "WEBP", "quality": 80, "method": 4, "lossless": False},
    "tiff": {"format": "TIFF", "compression": "tiff_lzw"},
}


def encode(img: Image.Image, fmt: str, quality: int | None = None) -> bytes:
    buf = io.BytesIO()
    options = dict(SAVE_OPTIONS[fmt])
    if quality is not None:
        options["quality"] = quality
    img.save(buf, **options)
    return buf.getvalue()


@dataclass(frozen=True)
class Picture:
    data: bytes
    fmt: str
    made: str
    base: str | None = None        # altered copies: the picture they were made from
    alteration: str | None = None  # altered copies: what was done, for README and facts


def picture(img: Image.Image, fmt: str, made: str, quality: int | None = None) -> Picture:
    q = f" q{quality}" if quality is not None else ""
    return Picture(encode(img, fmt, quality), fmt, f"{made}, {img.width}x{img.height} {img.mode} {fmt.upper()}{q}")


def photo_picture(name: str, fmt: str, quality: int | None = None) -> Picture:
    return picture(scene(name), fmt, f"photo-like abstract scene (seed `{name}`)", quality)


# Each distinct picture is generated once; evidence entries refer to them by
# name so duplicates are byte-identical by construction.
PICTURES = {
    "gradient": picture(linear_gradient(), "jpeg", "red/green linear gradient"),
    "checker": picture(checkerboard(), "jpeg", "16px checkerboard"),
    "circles": picture(circles(), "jpeg", "four filled circles on navy"),
    "stripes": picture(diagonal_stripes(), "png", "three-colour diagonal stripes"),
    "radial": picture(radial_grey(), "png", "greyscale radial gradient"),
    "alpha": picture(alpha_shapes(), "png", "translucent square/circle/triangle on transparent"),
    "diamonds": picture(palette_diamonds(), "gif", "8-colour palette concentric diamonds"),
    "plasma": picture(plasma(), "bmp", "sine plasma"),
    "wheel": picture(hue_wheel(), "webp", "hue wheel (lossy q80)"),
    "gridlines": picture(grid_lines(), "tiff", "grid lines (LZW)"),
    "interference": picture(interference(), "jpeg", "two-source ring interference"),
    "noise": picture(block_noise("exhibit-2/IMG_2001"), "jpeg", "8px block noise (SHA-256 seeded)"),
    "squares": picture(concentric_squares(), "png", "concentric squares"),
    "triangles": picture(triangles(), "png", "four triangles on cream"),
    "rings": picture(rings_gradient(), "jpeg", "rings over gradient"),
    # Photo-like pictures for perceptual (PDQ) matching. Encoded at JPEG q90
    # (or PNG) like a camera or an editor would, unlike the q85 default above.
    "meadow": photo_picture("meadow", "jpeg", 90),
    "harbour": photo_picture("harbour", "png"),
    "dunes": photo_picture("dunes", "jpeg", 90),
    "lagoon": photo_picture("lagoon", "jpeg", 90),
    "orchard": photo_picture("orchard", "jpeg", 90),
    "copse": photo_picture("copse", "jpeg", 90),
    "quarry": photo_picture("quarry", "jpeg", 90),
}


# --------------------------------------------------------------------------
# Altered copies: what happens to a picture as it is shared and edited.
# Each starts from Pillow's decode of the base picture's bytes, as an editor
# would, and is re-encoded, so none is byte-identical to anything known.
# --------------------------------------------------------------------------

def decoded(name: str) -> Image.Image:
    with Image.open(io.BytesIO(PICTURES[name].data)) as im:
        return im.convert("RGB")


def resized(img: Image.Image, factor: float) -> Image.Image:
    size = (round(img.width * factor), round(img.height * factor))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=None)


def brightened(img: Image.Image, delta: int) -> Image.Image:
    return Image.fromarray(to_u8(np.asarray(img).astype(np.int16) + delta))


def watermarked(img: Image.Image, fraction: float = 0.10, alpha: int = 80) -> Image.Image:
    """A small translucent, text-free badge (rounded box, disc, triangle) in
    the bottom-right corner, like a sharing site's logo."""
    base = img.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    bw = round(base.width * fraction)
    bh = round(bw * 0.6)
    margin = round(base.width * 0.03)
    x0, y0 = base.width - margin - bw, base.height - margin - bh
    d.rounded_rectangle((x0, y0, x0 + bw, y0 + bh), radius=bh // 5, fill=(255, 255, 255, alpha))
    k = bh // 5
    d.ellipse((x0 + k, y0 + k, x0 + k + 3 * k, y0 + k + 3 * k), fill=(20, 20, 20, alpha))
    d.polygon([(x0 + bw * 0.5, y0 + bh * 0.75), (x0 + bw * 0.7, y0 + bh * 0.25), (x0 + bw * 0.9, y0 + bh * 0.75)],
              fill=(20, 20, 20, alpha))
    return Image.alpha_composite(base, overlay).convert("RGB")


def cropped(img: Image.Image, left: float, top: float) -> Image.Image:
    return img.crop((round(img.width * left), round(img.height * top), img.width, img.height))


def mirrored(img: Image.Image) -> Image.Image:
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def altered(base: str, img: Image.Image, fmt: str, alteration: str, quality: int | None = None) -> Picture:
    p = picture(img, fmt, f"`{base}` {alteration}", quality)
    return Picture(p.data, p.fmt, p.made, base, alteration)


# name -> (base, how, expected basis). "perceptual": must match the base's
# PDQ (distance <= PDQ_MARGIN_DISTANCE); "none": must not match (crop);
# "dihedral": must match only a dihedral variant (mirror, with --dihedral).
ALTERED = {
    "meadow-small": ("meadow", lambda: altered("meadow", resized(decoded("meadow"), 0.6), "jpeg",
                                               "resized to 60 % (Lanczos), JPEG", 85), "perceptual"),
    "meadow-q65": ("meadow", lambda: altered("meadow", decoded("meadow"), "jpeg",
                                             "re-encoded as JPEG", 65), "perceptual"),
    "meadow-mirror": ("meadow", lambda: altered("meadow", mirrored(decoded("meadow")), "jpeg",
                                                "mirrored left-right, JPEG", 90), "dihedral"),
    "harbour-jpeg": ("harbour", lambda: altered("harbour", decoded("harbour"), "jpeg",
                                                "PNG converted to JPEG", 75), "perceptual"),
    "harbour-bright": ("harbour", lambda: altered("harbour", brightened(decoded("harbour"), 25), "jpeg",
                                                  "brightness +25 on every channel, JPEG", 85), "perceptual"),
    "harbour-crop": ("harbour", lambda: altered("harbour", cropped(decoded("harbour"), 0.12, 0.12), "jpeg",
                                                "cropped 12 % off the left and 12 % off the top, JPEG", 90), "none"),
    "dunes-marked": ("dunes", lambda: altered("dunes", watermarked(decoded("dunes")), "jpeg",
                                              "with a translucent text-free badge (10 % wide, alpha 80/255) "
                                              "in the bottom-right corner, JPEG", 90), "perceptual"),
    "dunes-png": ("dunes", lambda: altered("dunes", decoded("dunes"), "png",
                                           "JPEG converted to PNG"), "perceptual"),
    "lagoon-q70": ("lagoon", lambda: altered("lagoon", decoded("lagoon"), "jpeg",
                                             "re-encoded as JPEG", 70), "perceptual"),
    "lagoon-75pc": ("lagoon", lambda: altered("lagoon", resized(decoded("lagoon"), 0.75), "jpeg",
                                              "resized to 75 % (Lanczos), JPEG", 80), "perceptual"),
    "orchard-edit": ("orchard", lambda: altered("orchard", resized(decoded("orchard"), 0.8), "jpeg",
                                                "resized to 80 % (Lanczos), JPEG", 70), "perceptual"),
}
for _name, (_base, _make, _basis) in ALTERED.items():
    PICTURES[_name] = _make()


# --------------------------------------------------------------------------
# Evidence tree
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceFile:
    exhibit: str
    path: str
    data: bytes
    fmt: str          # what the bytes really are: an image format, text, binary, empty
    made: str
    tests: str
    decodable: bool = True


def pic(exhibit: str, path: str, name: str, tests: str) -> EvidenceFile:
    p = PICTURES[name]
    return EvidenceFile(exhibit, path, p.data, p.fmt, f"`{name}`: {p.made}", tests)


def truncated(data: bytes, percent: int) -> bytes:
    return data[: len(data) * percent // 100]


E1, E2 = "exhibit-1", "exhibit-2"

EVIDENCE = [
    pic(E1, "DCIM/100CAM/IMG_0001.jpg", "gradient", "JPEG; VICS2 category 1; duplicated in Pictures/holiday"),
    pic(E1, "DCIM/100CAM/IMG_0002.jpg", "checker", "JPEG; known.md5; same bytes also in exhibit-2"),
    pic(E1, "DCIM/100CAM/IMG_0003.jpg", "circles", "JPEG; in VICS2 (cat 3) AND known.md5 (duplicate across sets)"),
    pic(E1, "Pictures/holiday/IMG_0001.jpg", "gradient", "byte-identical duplicate within exhibit-1"),
    pic(E1, "Pictures/holiday/beach.png", "stripes", "RGB PNG; VICS2 category 2; conflict-vics2 says 1"),
    pic(E1, "Pictures/holiday/sunset-grey.png", "radial", "greyscale (mode L) PNG; known.sha256"),
    pic(E1, "Pictures/holiday/overlay-alpha.png", "alpha", "RGBA PNG with alpha; pending"),
    pic(E1, "Downloads/beach (1).png", "stripes", "duplicate of beach.png; space and parentheses in name"),
    pic(E1, "Downloads/pattern.gif", "diamonds", "GIF; VICS2 category 0 (not indecent)"),
    pic(E1, "Downloads/tile.webp", "wheel", "WebP; only in known-vics1.json, so pending in the main scenario"),
    pic(E1, "Downloads/system32.dll", "interference", "JPEG named .dll; VICS2 category 1 (match by content, not name)"),
    EvidenceFile(E1, "Downloads/not-a-photo.jpg",
                 b"This is a plain text file that only pretends to be a photo.\n"
                 b"A content sniffer should not treat it as a JPEG.\n",
                 "text", "two lines of ASCII text", "image extension on a non-image"),
    EvidenceFile(E1, "Downloads/blob.bin", det_bytes("exhibit-1/blob.bin", 2048), "binary",
                 "2048 bytes of SHA-256 counter-mode stream, seed `exhibit-1/blob.bin`",
                 "opaque non-image binary"),
    pic(E1, "Documents/scan.bmp", "plasma", "BMP; known.hashdeep"),
    pic(E1, "Documents/plate.tiff", "gridlines", "TIFF; known.hashdeep"),
    EvidenceFile(E1, "Documents/readme.txt",
                 b"Exhibit 1 synthetic test data for triage.\nNothing in this folder is real.\n",
                 "text", "two lines of ASCII text", "ordinary text file"),
    EvidenceFile(E1, "Documents/inventory.csv",
                 b"item,count,colour\nwidget,3,red\ngadget,12,blue\nsprocket,7,green\n",
                 "text", "4-line CSV", "ordinary CSV file"),
    pic(E2, "DCIM/100CAM/IMG_0002.jpg", "checker", "same bytes as exhibit-1 IMG_0002.jpg (cross-exhibit duplicate)"),
    pic(E2, "Pictures/IMG_2001.jpg", "noise", "JPEG; pending"),
    pic(E2, "Pictures/diagram.png", "squares", "PNG; known.md5"),
    pic(E2, "Documents/notes.txt", "triangles", "PNG named .txt; pending"),
    EvidenceFile(E2, "Downloads/empty.jpg", b"", "empty", "zero bytes", "zero-byte file with image extension"),
    EvidenceFile(E2, "Downloads/truncated.jpg", truncated(PICTURES["rings"].data, 60), "jpeg",
                 f"first 60% of `rings`: {PICTURES['rings'].made}",
                 "JPEG signature but no EOI; must not crash the decoder", decodable=False),
    # Photo-like pictures: originals, altered copies and unknown decoys.
    pic(E1, "DCIM/100CAM/IMG_0101.jpg", "meadow", "photo-like JPEG; VICS2 category 1 with PDQ; exact match"),
    pic(E1, "DCIM/100CAM/IMG_0102.jpg", "dunes", "photo-like JPEG; VICS2 category 3 with PDQ; exact match"),
    pic(E1, "Pictures/holiday/IMG_0150.jpg", "quarry", "photo-like JPEG, unknown decoy: far from every known PDQ; pending"),
    pic(E1, "Pictures/edited/IMG_0101-small.jpg", "meadow-small", "resized copy of IMG_0101.jpg; PDQ match"),
    pic(E1, "Pictures/edited/IMG_0101-mirror.jpg", "meadow-mirror",
        "mirrored copy of IMG_0101.jpg; pending, matches only with --dihedral"),
    pic(E1, "Pictures/edited/IMG_0102-marked.jpg", "dunes-marked", "watermarked copy of IMG_0102.jpg; PDQ match"),
    pic(E1, "Pictures/edited/harbour-bright.jpg", "harbour-bright", "brightened copy of exhibit-2 harbour.png; PDQ match"),
    pic(E1, "Pictures/edited/harbour-crop.jpg", "harbour-crop", "cropped copy of harbour.png; PDQ does not survive it: pending"),
    pic(E1, "Pictures/edited/lagoon-q70.jpg", "lagoon-q70",
        "re-encoded copy of a VICS2 picture whose original is not in the evidence; PDQ match"),
    pic(E2, "Pictures/harbour.png", "harbour", "photo-like PNG; VICS2 category 2 with PDQ; exact match"),
    pic(E2, "DCIM/100CAM/IMG_2002.jpg", "copse", "photo-like JPEG, unknown decoy: far from every known PDQ; pending"),
    pic(E2, "Downloads/resaved/harbour.jpg", "harbour-jpeg", "PNG→JPEG copy of harbour.png; PDQ match"),
    pic(E2, "Downloads/resaved/IMG_0101-q65.jpg", "meadow-q65", "low-quality re-encode of exhibit-1 IMG_0101.jpg; PDQ match"),
    pic(E2, "Downloads/resaved/IMG_0102.png", "dunes-png", "JPEG→PNG copy of exhibit-1 IMG_0102.jpg; PDQ match"),
    pic(E2, "Downloads/resaved/lagoon-75pc.jpg", "lagoon-75pc",
        "resized copy of a VICS2 picture whose original is not in the evidence; PDQ match"),
    pic(E2, "Downloads/resaved/orchard.jpg", "orchard-edit",
        "resized copy of a picture known only by PDQ (known.pdq); pending unless known.pdq is imported"),
]


# --------------------------------------------------------------------------
# Perceptual hashes (PDQ)
# --------------------------------------------------------------------------

PDQ_MATCH_DISTANCE = 31   # triage: a match is a Hamming distance <= 31 of 256 bits ...
PDQ_MIN_QUALITY = 50      # ... and only when both sides have quality >= 50
PDQ_NEAR_DISTANCE = 20    # altered copies must be this close: margin for decoders that differ by a few bits
PDQ_FAR_DISTANCE = 45     # everything that must not match is further than this, all 8 dihedral variants too
PDQ_CROP_DISTANCE = 40    # the cropped copy (and the mirror's plain hash) must be further than this
PDQ_MAX_SIDE = 512        # the reference CLI resizes larger pictures to 512x512; no picture needs it
# Order of pdqhash.compute_dihedral and of the reference's --pdqdih-across.
# "flipy" mirrors about the vertical axis, i.e. left-right; "flipx" is top-bottom.
DIHEDRAL = ("original", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1")


@dataclass(frozen=True)
class PDQ:
    hashes: tuple[str, ...]   # the 8 dihedral variants, in DIHEDRAL order; [0] is the plain hash
    quality: int

    @property
    def hash(self) -> str:
        return self.hashes[0]


def pdq_hex(bits: np.ndarray) -> str:
    """Reference hex: bit k sits in 16-bit word k >> 4 at bit k & 15, and the
    words are printed %04x from word 15 down to word 0. pdqhash returns the
    bits with bit 255 first, so the vector read as a binary number is the
    hash (checked against the C++ reference's expected-noresize.txt)."""
    return "%064x" % int("".join("1" if b else "0" for b in bits), 2)


def pdq_pixels(data: bytes, allow_truncated: bool = False) -> np.ndarray:
    """Pillow's decode as the HxWx3 uint8 array pdqhash wants. Alpha is
    dropped without compositing and palettes are expanded, as the reference
    does; grey pictures become three equal channels, whose luma
    (0.299 + 0.587 + 0.114 = 1) is the grey value the reference uses."""
    old = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = allow_truncated
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if im.mode in ("L", "LA", "1"):
                grey = np.asarray(im.convert("L"))
                return np.dstack([grey, grey, grey])
            return np.asarray(im.convert("RGB"))
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = old


_PDQ_CACHE: dict[tuple[bytes, bool], PDQ] = {}


def pdq_of(data: bytes, allow_truncated: bool = False) -> PDQ:
    key = (hashlib.sha256(data).digest(), allow_truncated)
    if key not in _PDQ_CACHE:
        variants, quality = pdqhash.compute_dihedral(pdq_pixels(data, allow_truncated))
        _PDQ_CACHE[key] = PDQ(tuple(pdq_hex(v) for v in variants), int(quality))
    return _PDQ_CACHE[key]


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def dihedral_distance(evidence: PDQ, known: PDQ) -> int:
    """Smallest distance over the dihedral variants, whichever side a tool
    transforms: the evidence's 8 variants against the known hash, or the
    evidence's hash against the known picture's 8 variants."""
    return min(min(hamming(v, known.hash) for v in evidence.hashes),
               min(hamming(evidence.hash, v) for v in known.hashes))


@dataclass(frozen=True)
class KnownPDQ:
    picture: str
    hashset: str
    category: str
    pdq: PDQ


def known_pdqs() -> list[KnownPDQ]:
    """Every PDQ the hash sets carry, in file order."""
    known = [KnownPDQ(n, "known-vics2.json", UK_PROFILE[c], pdq_of(PICTURES[n].data))
             for n, c in ALL_VICS2_RECORDS if vics2_pdq(n) is not None]
    known += [KnownPDQ(n, "known.pdq", KNOWN_PDQ_CATEGORY, pdq_of(PICTURES[n].data)) for n in KNOWN_PDQ]
    return known


def perceptual_match(p: PDQ | None, hashsets: tuple[str, ...], dihedral: bool = False) -> KnownPDQ | None:
    """What triage should find for a picture with no exact match: the known
    PDQ within PDQ_MATCH_DISTANCE (quality >= 50 on both sides)."""
    if p is None or p.quality < PDQ_MIN_QUALITY:
        return None
    hits = [k for k in known_pdqs() if k.hashset in hashsets and k.pdq.quality >= PDQ_MIN_QUALITY
            and (dihedral_distance(p, k.pdq) if dihedral else hamming(p.hash, k.pdq.hash)) <= PDQ_MATCH_DISTANCE]
    # check_perceptual() guarantees at most one (everything else is > 45 away).
    assert len(hits) <= 1, [k.picture for k in hits]
    return hits[0] if hits else None


def image_pdq(f: "EvidenceFile") -> PDQ | None:
    return pdq_of(f.data) if f.fmt in IMAGE_FORMATS and f.decodable else None


# --------------------------------------------------------------------------
# Hash sets
# --------------------------------------------------------------------------

def digests(data: bytes) -> dict[str, str]:
    return {
        "md5": hashlib.md5(data).hexdigest(),
        "sha1": hashlib.sha1(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# Bytes that exist nowhere in the evidence tree, for "record matches nothing".
UNMATCHED = b"triage fixture: this record deliberately matches no file\n"

# (picture name, VICS category code). Code 1 twice, so one category has a
# renamed file in it too.
VICS2_RECORDS = [
    ("gradient", 1), ("interference", 1), ("stripes", 2), ("circles", 3), ("diamonds", 0),
]
# The photo-like pictures, after the unmatched record (MediaID 6) so the
# earlier MediaIDs keep their meaning: MediaID 7 onwards. lagoon's original
# is not in the evidence; only altered copies of it are.
VICS2_PHOTO_RECORDS = [("meadow", 1), ("harbour", 2), ("dunes", 3), ("lagoon", 1)]
ALL_VICS2_RECORDS = VICS2_RECORDS + VICS2_PHOTO_RECORDS
UNMATCHED_MEDIA_ID = len(VICS2_RECORDS) + 1
# known.pdq: ThreatExchange-style "<hash>,<quality>" lines, pictures that no
# other set names; import with --category B.
KNOWN_PDQ = ["orchard"]
KNOWN_PDQ_CATEGORY = "B"
VICS1_RECORDS = [("wheel", "2"), ("gradient", "1")]  # gradient agrees with v2
CONFLICT_RECORDS = [("stripes", 1)]                    # v2 says 2
KNOWN_MD5 = ["checker", "squares", "circles"]          # circles also in v2, as 3 = C
KNOWN_SHA256 = ["radial"]
KNOWN_HASHDEEP = ["plasma", "gridlines"]
MALFORMED_MD5 = ["alpha", "wheel", None, "noise", "triangles"]  # None = the bad line
MALFORMED_LINE_NUMBER = MALFORMED_MD5.index(None) + 1


def first_location(name: str) -> str | None:
    """Where the picture first occurs in the evidence; None if only altered
    copies of it are there (lagoon, orchard)."""
    for f in EVIDENCE:
        if f.data == PICTURES[name].data:
            return f"{f.exhibit}/{f.path}"
    return None


def vics2_media(media_id: int, data: bytes, category: int, pdq: str | None = None) -> dict:
    d = digests(data)
    media = {
        "MediaID": media_id,
        "Category": category,
        "MD5": d["md5"].upper(),
        "SHA1": d["sha1"],
        "IsPrecategorized": "true",
        "IsDistributed": False,
        "MediaSize": len(data),
    }
    if pdq is not None:
        # How VICS 2.0 carries hashes beyond MD5/SHA1.
        media["AlternativeHashes"] = [{"HashName": "PDQ", "HashValue": pdq}]
    media["Comments"] = []
    return media


def vics2_doc(case_id: str, case_number: str, records: list[tuple[bytes, int, str | None]]) -> dict:
    return {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",
        "value": [{
            "CaseID": case_id,
            "CaseNumber": case_number,
            "Media": [vics2_media(i, data, cat, pdq) for i, (data, cat, pdq) in enumerate(records, start=1)],
        }],
    }


def vics2_pdq(name: str) -> str | None:
    """The PDQ a VICS2 record carries: only for pictures of quality >= 50."""
    p = pdq_of(PICTURES[name].data)
    return p.hash if p is not None and p.quality >= PDQ_MIN_QUALITY else None


def to_json(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


def build_hashsets() -> dict[str, bytes]:
    p = PICTURES
    known_v2 = vics2_doc(
        "4f1c0a2e-0000-4000-8000-000000000001", "FIXTURE-0001",
        [(p[n].data, c, vics2_pdq(n)) for n, c in VICS2_RECORDS] + [(UNMATCHED, 2, None)]
        + [(p[n].data, c, vics2_pdq(n)) for n, c in VICS2_PHOTO_RECORDS],
    )
    # The conflicting set stays digest-only: its point is the exact conflict.
    conflict = vics2_doc(
        "4f1c0a2e-0000-4000-8000-000000000002", "FIXTURE-0002",
        [(p[n].data, c, None) for n, c in CONFLICT_RECORDS],
    )
    known_v1 = {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml/UK/$metadata#Media",
        "value": [
            {"MediaID": i, "Category": c, "MD5": digests(p[n].data)["md5"].upper(),
             "SHA1": digests(p[n].data)["sha1"], "IsPrecategorized": True}
            for i, (n, c) in enumerate(VICS1_RECORDS, start=1)
        ],
    }

    md5_lines = ["# triage fixture hash set: import with --category C"]
    md5_lines += [f"{digests(p[n].data)['md5']}  {first_location(n)}" for n in KNOWN_MD5]

    sha256_lines = [f"{digests(p[n].data)['sha256']}  {first_location(n)}" for n in KNOWN_SHA256]

    hashdeep_lines = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha256,filename",
        "## Invoked from: /evidence",
        "## $ hashdeep -c md5,sha256 -r .",
        "##",
    ]
    for n in KNOWN_HASHDEEP:
        d = digests(p[n].data)
        hashdeep_lines.append(f"{len(p[n].data)},{d['md5']},{d['sha256']},/evidence/{first_location(n)}")

    pdq_lines = []
    for n in KNOWN_PDQ:
        q = pdq_of(p[n].data)
        pdq_lines.append(f"{q.hash},{q.quality}")

    malformed_lines = [
        "zzzz-not-hex  bad.jpg" if n is None else f"{digests(p[n].data)['md5']}  {first_location(n)}"
        for n in MALFORMED_MD5
    ]

    # Cut inside the second Media record, between the MD5 key and its value's
    # end, so the parser sees an unterminated string inside an open object.
    full = to_json(known_v2).decode()
    second = full.index('"MediaID": 2')
    cut = full.index('"MD5": "', second) + len('"MD5": "') + 10

    return {
        "known-vics2.json": to_json(known_v2),
        "known-vics1.json": to_json(known_v1),
        "known.md5": ("\n".join(md5_lines) + "\n").encode(),
        "known.sha256": ("\n".join(sha256_lines) + "\n").encode(),
        "known.hashdeep": ("\n".join(hashdeep_lines) + "\n").encode(),
        "known.pdq": ("\n".join(pdq_lines) + "\n").encode(),
        "bad/malformed-line.md5": ("\n".join(malformed_lines) + "\n").encode(),
        "bad/not-json.json": (
            b"This file has a .json extension but contains ordinary prose.\n"
            b"An importer should reject it with a clear error instead of crashing.\n"
        ),
        "bad/truncated.json": full[:cut].encode(),
        "bad/conflict-vics2.json": to_json(conflict),
    }


# What each hash set says, in triage terms, keyed by the picture it names.
# Used both for fixture-facts.json and the README so they cannot disagree.
def hashset_claims() -> dict[str, list[tuple[str, str | None]]]:
    return {
        "known-vics2.json": [(n, UK_PROFILE[c]) for n, c in ALL_VICS2_RECORDS],
        "known-vics1.json": [(n, UK_PROFILE[int(c)]) for n, c in VICS1_RECORDS],
        "known.md5": [(n, KNOWN_MD5_CATEGORY) for n in KNOWN_MD5],
        "known.sha256": [(n, None) for n in KNOWN_SHA256],
        "known.hashdeep": [(n, None) for n in KNOWN_HASHDEEP],
        "bad/malformed-line.md5": [(n, None) for n in MALFORMED_MD5 if n is not None],
        "bad/conflict-vics2.json": [(n, UK_PROFILE[c]) for n, c in CONFLICT_RECORDS],
    }


def expected_categories() -> dict[bytes, str]:
    """Simulate importing known-vics2.json then known.md5 --category C."""
    result: dict[bytes, str] = {}
    for n, c in ALL_VICS2_RECORDS:
        result[PICTURES[n].data] = UK_PROFILE[c]
    for n in KNOWN_MD5:
        data = PICTURES[n].data
        # Overlap is intended, disagreement is not: keep the expectation free
        # of any precedence rule the importer might or might not implement.
        assert result.get(data, KNOWN_MD5_CATEGORY) == KNOWN_MD5_CATEGORY, n
        result[data] = KNOWN_MD5_CATEGORY
    return result


# The main scenario's perceptual source: known-vics2.json's AlternativeHashes.
MAIN_PDQ_HASHSETS = ("known-vics2.json",)
ALL_PDQ_HASHSETS = ("known-vics2.json", "known.pdq")


def expected_outcome(f: "EvidenceFile", exact_only: bool = False) -> tuple[str | None, str | None]:
    """(category, basis) in the main scenario: an exact digest match wins;
    otherwise a PDQ match against known-vics2.json (no --dihedral); else
    pending (None, None)."""
    if f.fmt not in IMAGE_FORMATS:
        return None, None
    exact = expected_categories().get(f.data)
    if exact is not None:
        return exact, "exact"
    if exact_only:
        return None, None
    hit = perceptual_match(image_pdq(f), MAIN_PDQ_HASHSETS)
    return (hit.category, "perceptual") if hit else (None, None)


# --------------------------------------------------------------------------
# Facts, checks and README
# --------------------------------------------------------------------------

def is_mismatch(f: EvidenceFile) -> bool:
    # Zero-byte files have no content to disagree with their name.
    promised = EXTENSION_FORMATS.get(Path(f.path).suffix.lower())
    return f.fmt != "empty" and promised is not None and promised != f.fmt


def kind(f: EvidenceFile) -> str:
    return "still" if f.fmt in IMAGE_FORMATS else "other"


def check_pictures() -> None:
    """Guard against a Pillow upgrade silently producing something else."""
    for f in EVIDENCE:
        if f.fmt in IMAGE_FORMATS and f.decodable:
            with Image.open(io.BytesIO(f.data)) as im:
                assert im.format.lower() == f.fmt, (f.path, im.format)
                im.load()
                assert 48 <= min(im.size) and max(im.size) <= PDQ_MAX_SIDE, (f.path, im.size)
    # The truncated file must start like a JPEG yet fail to decode fully.
    t = next(f for f in EVIDENCE if not f.decodable)
    assert t.data[:3] == b"\xff\xd8\xff" and not t.data.endswith(b"\xff\xd9")
    # blob.bin must not accidentally carry an image signature.
    blob = next(f for f in EVIDENCE if f.path.endswith("blob.bin"))
    for magic in (b"\xff\xd8", b"\x89PNG", b"GIF8", b"BM", b"RIFF", b"II*", b"MM\x00*"):
        assert not blob.data.startswith(magic)


def known_digests(hashset_files: dict[str, bytes]) -> set[str]:
    """Every MD5 any hash set names (a file is only an altered copy if its
    bytes are known nowhere)."""
    names = {n for entries in hashset_claims().values() for n, _ in entries} | set(KNOWN_PDQ)
    return {digests(PICTURES[n].data)["md5"] for n in names} | {digests(UNMATCHED)["md5"]}


def check_perceptual(hashset_files: dict[str, bytes]) -> None:
    """The perceptual expectations, measured; fail loudly rather than write
    fixtures that do not show what they claim."""
    known = known_pdqs()
    by_name = {k.picture: k for k in known}
    known_md5s = known_digests(hashset_files)

    # Every VICS2 photo and every known.pdq picture carries a usable PDQ.
    for n, _ in VICS2_PHOTO_RECORDS:
        assert n in by_name and by_name[n].pdq.quality >= 80, (n, pdq_of(PICTURES[n].data).quality)
    for n in KNOWN_PDQ:
        assert by_name[n].pdq.quality >= 80 and by_name[n].hashset == "known.pdq", n
        assert n not in dict(ALL_VICS2_RECORDS), n

    # Distinct known pictures are far apart, so no match is ambiguous.
    for i, a in enumerate(known):
        for b in known[i + 1:]:
            d = dihedral_distance(a.pdq, b.pdq)
            assert d > PDQ_FAR_DISTANCE, ("known pictures too close", a.picture, b.picture, d)

    def far_from_all(label: str, p: PDQ, except_: str | None = None) -> None:
        if p.quality < PDQ_MIN_QUALITY:
            return
        for k in known:
            if k.picture == except_ or k.pdq.quality < PDQ_MIN_QUALITY:
                continue
            d = min(hamming(p.hash, k.pdq.hash), dihedral_distance(p, k.pdq))
            assert d > PDQ_FAR_DISTANCE, (f"{label} is {d} bits from known {k.picture} ({k.hashset})")

    for f in EVIDENCE:
        where = f"{f.exhibit}/{f.path}"
        if f.fmt not in IMAGE_FORMATS:
            continue
        if not f.decodable:
            # A lenient decoder may still hash what it got; that must not match either.
            far_from_all(where + " (partial decode)", pdq_of(f.data, allow_truncated=True))
            continue
        p = image_pdq(f)
        name = next(n for n, pic_ in PICTURES.items() if pic_.data == f.data)
        if name in ALTERED:
            base, _, basis = ALTERED[name]
            k = by_name[base]
            assert digests(f.data)["md5"] not in known_md5s, (where, "altered copy is byte-identical to a known file")
            assert f.data != PICTURES[base].data, where
            assert p.quality >= PDQ_MIN_QUALITY, (where, p.quality)
            plain = hamming(p.hash, k.pdq.hash)
            if basis == "perceptual":
                assert plain <= PDQ_NEAR_DISTANCE, (where, "too far from", base, plain)
            elif basis == "dihedral":
                assert plain > PDQ_CROP_DISTANCE, (where, "mirror matches without --dihedral", plain)
                flip = hamming(p.hash, k.pdq.hashes[DIHEDRAL.index("flipy")])
                back = hamming(p.hashes[DIHEDRAL.index("flipy")], k.pdq.hash)
                assert max(flip, back) <= PDQ_NEAR_DISTANCE, (where, "mirror too far from the flipy variant", flip, back)
            else:
                assert basis == "none", basis
                assert min(plain, dihedral_distance(p, k.pdq)) > PDQ_CROP_DISTANCE, (where, "crop still matches", plain)
            far_from_all(where, p, except_=base)
        elif name in by_name:
            assert hamming(p.hash, by_name[name].pdq.hash) == 0, where
            far_from_all(where, p, except_=name)
        else:
            # Unknown, pending, or known only by a digest: never a PDQ match.
            far_from_all(where, p)
        with Image.open(io.BytesIO(f.data)) as im:
            assert max(im.size) <= PDQ_MAX_SIDE, where
            if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
                # A decoder that composites alpha instead of dropping it
                # sees other pixels; those must not match anything either.
                rgba = im.convert("RGBA")
                for backdrop in ((0, 0, 0, 255), (255, 255, 255, 255)):
                    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, backdrop), rgba).convert("RGB")
                    variants, quality = pdqhash.compute_dihedral(np.asarray(flat))
                    far_from_all(f"{where} (alpha over {backdrop[:3]})",
                                 PDQ(tuple(pdq_hex(v) for v in variants), int(quality)))

    # The simulated outcomes agree with the design.
    for f in EVIDENCE:
        cat, basis = expected_outcome(f)
        name = next((n for n, pic_ in PICTURES.items() if pic_.data == f.data), None)
        if name in ALTERED and ALTERED[name][2] == "perceptual" and by_name[ALTERED[name][0]].hashset == "known-vics2.json":
            assert (cat, basis) == (by_name[ALTERED[name][0]].category, "perceptual"), (f.path, cat, basis)
        else:
            assert basis != "perceptual", (f.path, cat, basis)
        if name in ALTERED:
            base, _, want = ALTERED[name]
            hit = perceptual_match(image_pdq(f), ALL_PDQ_HASHSETS)
            hit_dih = perceptual_match(image_pdq(f), ALL_PDQ_HASHSETS, dihedral=True)
            assert (hit.picture if hit else None) == (base if want == "perceptual" else None), (f.path, want)
            assert (hit_dih.picture if hit_dih else None) == (None if want == "none" else base), (f.path, want)


def picture_name(data: bytes) -> str | None:
    return next((n for n, p in PICTURES.items() if p.data == data), None)


def nearest_known(p: PDQ | None) -> dict | None:
    if p is None or p.quality < PDQ_MIN_QUALITY:
        return None
    usable = [k for k in known_pdqs() if k.pdq.quality >= PDQ_MIN_QUALITY]
    k = min(usable, key=lambda k: (hamming(p.hash, k.pdq.hash), k.picture))
    j = min(usable, key=lambda j: (dihedral_distance(p, j.pdq), j.picture))
    return {"picture": k.picture, "hashset": k.hashset, "distance": hamming(p.hash, k.pdq.hash),
            "dihedral_picture": j.picture, "dihedral_distance": dihedral_distance(p, j.pdq)}


def build_facts(hashset_files: dict[str, bytes]) -> dict:
    claims = hashset_claims()
    files = []
    for f in sorted(EVIDENCE, key=lambda f: (f.exhibit, f.path)):
        image = f.fmt in IMAGE_FORMATS
        category, basis = expected_outcome(f)
        p = image_pdq(f)
        files.append({
            "exhibit": f.exhibit,
            "path": f.path,
            "size": len(f.data),
            **digests(f.data),
            "content": f.fmt,
            "is_image": image,
            "kind": kind(f),
            "decodable": image and f.decodable,
            "extension_mismatch": is_mismatch(f),
            "expected_category": category,
            "in_hashsets": sorted(
                hs for hs, entries in claims.items()
                if any(PICTURES[n].data == f.data for n, _ in entries)
            ),
            "expected_basis": basis,
            "pdq": p.hash if p else None,
            "pdq_quality": p.quality if p else None,
            "pdq_nearest_known": nearest_known(p),
        })

    def locations(name: str) -> list[str]:
        return [f"{f.exhibit}/{f.path}" for f in EVIDENCE if f.data == PICTURES[name].data]

    perceptual = perceptual_facts()

    def perceptual_locations(name: str, hashset: str) -> list[str]:
        return [f"{e['exhibit']}/{e['path']}" for e in perceptual
                if e["derived_from"] == name and e["known_in"] == hashset and e["expected_basis"] == "perceptual"]

    hashsets = {}
    for hs, entries in claims.items():
        hashsets[hs] = {
            "sha256_of_file": hashlib.sha256(hashset_files[hs]).hexdigest(),
            "records": [
                {"md5": digests(PICTURES[n].data)["md5"], "category": c, "matches": locations(n)}
                for n, c in entries
            ],
        }
    for record, (n, _) in zip(hashsets["known-vics2.json"]["records"], ALL_VICS2_RECORDS):
        record["pdq"] = vics2_pdq(n)
        record["pdq_quality"] = pdq_of(PICTURES[n].data).quality
        record["perceptual_matches"] = perceptual_locations(n, "known-vics2.json")
    hashsets["known-vics2.json"]["unmatched_record"] = {
        "md5": digests(UNMATCHED)["md5"], "category": "B", "size": len(UNMATCHED)}
    hashsets["known.pdq"] = {
        "sha256_of_file": hashlib.sha256(hashset_files["known.pdq"]).hexdigest(),
        "import_category": KNOWN_PDQ_CATEGORY,
        "records": [
            {"pdq": pdq_of(PICTURES[n].data).hash, "quality": pdq_of(PICTURES[n].data).quality,
             "category": KNOWN_PDQ_CATEGORY, "matches": locations(n),
             "perceptual_matches": perceptual_locations(n, "known.pdq")}
            for n in KNOWN_PDQ
        ],
    }
    hashsets["bad/malformed-line.md5"]["malformed_line_number"] = MALFORMED_LINE_NUMBER
    hashsets["bad/not-json.json"] = {"sha256_of_file": hashlib.sha256(hashset_files["bad/not-json.json"]).hexdigest()}
    hashsets["bad/truncated.json"] = {"sha256_of_file": hashlib.sha256(hashset_files["bad/truncated.json"]).hexdigest(),
                                      "cut_inside_media_id": 2}

    def count(category_of) -> dict[str, dict[str, int]]:
        summary: dict[str, dict[str, int]] = {}
        for f in sorted(EVIDENCE, key=lambda f: (f.exhibit, f.path)):
            bucket = (category_of(f) or "pending") if f.fmt in IMAGE_FORMATS else "not-image"
            s = summary.setdefault(f.exhibit, {k: 0 for k in ("A", "B", "C", "N", "pending", "not-image")})
            s[bucket] += 1
        return summary

    return {
        "scenario": "empty database; import hashsets/known-vics2.json (uk profile), "
                    "then hashsets/known.md5 with --category C; PDQ matching as triage does by default "
                    "(distance <= 31, quality >= 50 on both sides, no --dihedral) against the PDQs "
                    "known-vics2.json carries",
        "category_map_uk": {str(k): v for k, v in UK_PROFILE.items()},
        "summary": count(lambda f: expected_outcome(f)[0]),
        "summary_exact_only": count(lambda f: expected_outcome(f, exact_only=True)[0]),
        "files": files,
        "hashsets": hashsets,
        "pdq": pdq_facts(),
        "perceptual": perceptual,
    }


def pdq_facts() -> dict:
    """Parameters and the PDQ of every picture a hash set names."""
    carried = {(k.picture, k.hashset) for k in known_pdqs()}
    pictures = {}
    names = {n: sorted(hs for hs, entries in hashset_claims().items() if any(m == n for m, _ in entries))
             for n in PICTURES}
    for n in KNOWN_PDQ:
        names[n] = sorted(names[n] + ["known.pdq"])
    for n, hs in names.items():
        if not hs:
            continue
        p = pdq_of(PICTURES[n].data)
        pictures[n] = {
            "hashsets": hs,
            "category": (UK_PROFILE[dict(ALL_VICS2_RECORDS)[n]] if n in dict(ALL_VICS2_RECORDS)
                         else KNOWN_PDQ_CATEGORY if n in KNOWN_PDQ
                         else expected_categories().get(PICTURES[n].data)),
            "pdq_carried_by": sorted(h for m, h in carried if m == n),
            "md5": digests(PICTURES[n].data)["md5"],
            "in_evidence": [f"{f.exhibit}/{f.path}" for f in EVIDENCE if f.data == PICTURES[n].data],
            "pdq": p.hash,
            "quality": p.quality,
            "dihedral": dict(zip(DIHEDRAL, p.hashes)),
        }
    return {
        "hash_format": "64 lower-case hex digits; bit k is bit (k & 15) of 16-bit word k >> 4; "
                       "words printed %04x from word 15 down to word 0 (the C++ reference's format)",
        "computed_with": f"pdqhash {pdqhash.__version__} (reference C++ library, no 512x512 pre-resize) "
                         f"on Pillow {Image.__version__} decoded pixels; no picture is larger than "
                         f"{PDQ_MAX_SIDE} px, so the reference CLI's pre-resize would not change anything",
        "match_distance": PDQ_MATCH_DISTANCE,
        "min_quality": PDQ_MIN_QUALITY,
        "near_distance": PDQ_NEAR_DISTANCE,
        "far_distance": PDQ_FAR_DISTANCE,
        "dihedral_order": list(DIHEDRAL),
        "known_pictures": dict(sorted(pictures.items())),
    }


def perceptual_facts() -> list[dict]:
    """The altered copies in the evidence and what triage should make of them."""
    by_name = {k.picture: k for k in known_pdqs()}
    out = []
    for f in sorted(EVIDENCE, key=lambda f: (f.exhibit, f.path)):
        name = picture_name(f.data)
        if name not in ALTERED:
            continue
        base, _, basis = ALTERED[name]
        k = by_name[base]
        p = image_pdq(f)
        requires = []
        if k.hashset == "known.pdq":
            requires.append(f"hashdb import hashsets/known.pdq --category {KNOWN_PDQ_CATEGORY}")
        if basis == "dihedral":
            requires.append("scan --dihedral")
        out.append({
            "exhibit": f.exhibit,
            "path": f.path,
            "derived_from": base,
            "derived_from_in_evidence": [f"{e.exhibit}/{e.path}" for e in EVIDENCE if e.data == PICTURES[base].data],
            "alteration": PICTURES[name].alteration,
            "known_in": k.hashset,
            "category": None if basis == "none" else k.category,
            "expected_basis": basis,
            "requires": requires,
            "expected_category_main_scenario": expected_outcome(f)[0],
            "distance": hamming(p.hash, k.pdq.hash),
            "dihedral_distance": dihedral_distance(p, k.pdq),
            "flipy_distance": hamming(p.hash, k.pdq.hashes[DIHEDRAL.index("flipy")]),
            "quality": p.quality,
            "pdq": p.hash,
            "known_pdq": k.pdq.hash,
            "known_quality": k.pdq.quality,
        })
    return out


README_HEAD = """\
# Test fixtures

**Generated by `make-fixtures.py` — do not edit by hand; change the script and rerun**
(`python3 Fixtures/make-fixtures.py`, needs Pillow + numpy + pdqhash). Output is byte-identical
between runs on the same machine. A different Pillow/libjpeg/libwebp/zlib build may
encode pictures differently; `expected/fixture-facts.json` is regenerated together with
the pictures, so tests that read it stay consistent.

Every picture is an abstract, text-free generated pattern. The hash sets *pretend* some
of them are categorised material so the import and match paths have something to find.

Main scenario (what `expected_category` means): empty database, import
`hashsets/known-vics2.json` with the default `uk` profile (VICS 0→N, 1→A, 2→B, 3→C),
then `hashsets/known.md5 --category C`, scan without `--dihedral`. An exact digest match
comes first; otherwise a PDQ match (distance ≤ 31 of 256 bits, quality ≥ 50 on both
sides) against the PDQs known-vics2.json carries gives the category with basis
`perceptual` (marked "(PDQ)" below). `pending` = image known to neither set.

`kind` is by content signature: `truncated.jpg` is `still` (it starts like a JPEG) but
is not decodable. `extension mismatch` compares the content with what the extension
promises; `.bin` promises nothing, and zero-byte files have nothing to compare.
"""


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def build_readme(facts: dict) -> bytes:
    by_key = {(f.exhibit, f.path): f for f in EVIDENCE}
    rows = []
    for row in facts["files"]:
        f = by_key[(row["exhibit"], row["path"])]
        cat = (row["expected_category"] or "pending") if row["is_image"] else "—"
        if row["expected_basis"] == "perceptual":
            cat += " (PDQ)"
        hs = ", ".join(row["in_hashsets"]) or "—"
        rows.append([f"`evidence/{f.exhibit}/{f.path}`", f.made, f.tests, row["kind"],
                     cat, hs, "yes" if row["extension_mismatch"] else "no"])
    evidence_table = md_table(
        ["path", "how made", "what it tests", "kind", "expected category", "in hash sets", "ext mismatch"], rows)

    summary_rows = [[ex, *(str(v) for v in s.values())] for ex, s in facts["summary"].items()]
    summary_table = md_table(["exhibit", "A", "B", "C", "N", "pending", "not image"], summary_rows)
    exact_rows = [[ex, *(str(v) for v in s.values())] for ex, s in facts["summary_exact_only"].items()]
    exact_table = md_table(["exhibit", "A", "B", "C", "N", "pending", "not image"], exact_rows)

    hs_desc = {
        "known-vics2.json": "VICS 2.0 (`@odata.context`, Cases → Media, integer Category, "
                            f"MD5 upper, SHA1 lower). {len(ALL_VICS2_RECORDS)} fixture pictures (MediaID "
                            f"1–{len(VICS2_RECORDS)}, {UNMATCHED_MEDIA_ID + 1}–{len(ALL_VICS2_RECORDS) + 1}) "
                            f"+ 1 record matching nothing (MediaID {UNMATCHED_MEDIA_ID}). Records whose picture "
                            f"has PDQ quality ≥ {PDQ_MIN_QUALITY} carry "
                            '`"AlternativeHashes": [{"HashName": "PDQ", "HashValue": "<64 hex>"}]`. '
                            "`lagoon` (MediaID 10) is not in the evidence; only altered copies are.",
        "known-vics1.json": "VICS 1.2 (`odata.metadata`, flat Media, Category as string, "
                            "IsPrecategorized bool). Gradient agrees with v2.",
        "known.md5": f"md5sum format with a leading `#` comment; import with `--category {KNOWN_MD5_CATEGORY}`. "
                     "`IMG_0003.jpg` is also in known-vics2.json (as 3 = C, so no conflict).",
        "known.sha256": "sha256sum format, one line.",
        "known.hashdeep": "hashdeep 1.0, `size,md5,sha256,filename`.",
        "known.pdq": "ThreatExchange-style PDQ list: `<64-hex hash>,<quality>` lines, no header. "
                     f"Import with `--category {KNOWN_PDQ_CATEGORY}`. Names `orchard`, which no other set "
                     "knows; only an altered copy of it is in the evidence.",
        "bad/malformed-line.md5": f"md5sum lines; line **{MALFORMED_LINE_NUMBER}** is `zzzz-not-hex  bad.jpg`, "
                                  "the others are valid.",
        "bad/not-json.json": "plain prose, not JSON.",
        "bad/truncated.json": "known-vics2.json cut inside the MD5 string of MediaID 2.",
        "bad/conflict-vics2.json": "another case (FIXTURE-0002) giving `beach.png` category 1 (A); "
                                   "known-vics2.json says 2 (B).",
    }
    claims = hashset_claims()
    hs_rows = []
    for name, desc in hs_desc.items():
        hits = []
        entries = claims.get(name, []) + ([(n, KNOWN_PDQ_CATEGORY) for n in KNOWN_PDQ] if name == "known.pdq" else [])
        for n, c in entries:
            loc = first_location(n)
            hits.append((f"`{loc}`" if loc else f"`{n}` (only altered copies in the evidence)")
                        + (f" → {c}" if c else ""))
        hs_rows.append([f"`hashsets/{name}`", desc, "<br>".join(hits) or "—"])
    hs_table = md_table(["file", "what", "knows (first location) → category"], hs_rows)

    text = (README_HEAD
            + "\n## Evidence\n\n" + evidence_table
            + "\n## Expected counts after the main scenario\n\n" + summary_table
            + "\nWith exact (digest) matching only — the same scenario if PDQ matching were off "
              "(`summary_exact_only`):\n\n" + exact_table
            + "\n## Hash sets\n\n" + hs_table
            + "\n" + pdq_readme(facts)
            + "\n## Expected facts\n\n"
              "`expected/fixture-facts.json`: for every evidence file its exhibit, path, size, md5, sha1, "
              "sha256, content, is_image, kind, decodable, extension_mismatch, expected_category "
              "(A/B/C/N or null = pending / not an image), which hash sets name it (by digest), "
              "expected_basis (`exact`, `perceptual` or null), its PDQ hash and quality (null if not a "
              "decodable image) and pdq_nearest_known (the nearest known PDQ, plain and over the dihedral "
              "variants; null if quality < 50); plus per-hash-set records with their matching files "
              "(known-vics2.json records also give their PDQ and perceptual matches), the per-exhibit "
              "summaries above (`summary`, `summary_exact_only`), `pdq` (parameters, and the PDQ, quality "
              "and 8 dihedral variants of every picture a hash set names) and `perceptual` (every altered "
              "copy: what it derives from, the category and basis triage should give, what that needs, "
              "and the measured distances).\n"
              "\nWritten by the tests, not by this script (`TRIAGE_UPDATE_EXPECTED=1 scripts/test --filter X` "
              "rewrites them; check the diff by hand): `expected/report.txt`, the text report of the fixture "
              "case (`textReportMatchesTheCheckedInExpectation`), and `expected/review-halfblocks.txt`, the "
              "review screen's half-block drawing of an 8x6 gradient (red rising to the right, green downwards, "
              "blue 128) in 24-bit and 256 colours, ESC written as `\\e` "
              "(`halfBlocksMatchTheCheckedInScreen`; its first cell is checked by hand in the test).\n")
    return text.encode()


def pdq_readme(facts: dict) -> str:
    pdq = facts["pdq"]
    known_rows = []
    for n, k in pdq["known_pictures"].items():
        known_rows.append([f"`{n}`", ", ".join(k["hashsets"]), k["category"] or "—",
                           ", ".join(f"`{x}`" for x in k["in_evidence"]) or "— (altered copies only)",
                           str(k["quality"]), ", ".join(k["pdq_carried_by"]) or "no",
                           f"`{k['pdq']}`"])
    known_table = md_table(["picture", "named by", "category (main scenario; orchard: known.pdq)", "in evidence", "PDQ quality",
                            "PDQ carried by", "PDQ"], known_rows)
    basis_text = {"perceptual": "perceptual", "none": "none (pending)", "dihedral": "dihedral"}
    case_rows = []
    for e in facts["perceptual"]:
        case_rows.append([f"`{e['exhibit']}/{e['path']}`", f"`{e['derived_from']}`", e["alteration"],
                          str(e["distance"]), str(e["dihedral_distance"]), str(e["quality"]),
                          e["category"] or "—", basis_text[e["expected_basis"]],
                          "; ".join(f"`{r}`" for r in e["requires"]) or "main scenario"])
    case_table = md_table(["evidence file", "from", "alteration", "distance", "dihedral distance",
                           "quality", "category", "basis", "needs"], case_rows)
    decoys = []
    for row in facts["files"]:
        near = row["pdq_nearest_known"]
        if row["is_image"] and row["expected_category"] is None and picture_name(
                next(f.data for f in EVIDENCE if (f.exhibit, f.path) == (row["exhibit"], row["path"]))) not in ALTERED:
            decoys.append(f"`{row['exhibit']}/{row['path']}` "
                          + (f"{near['distance']} ({near['picture']}), dihedral {near['dihedral_distance']}"
                             if near else f"quality {row['pdq_quality']}" if row["pdq_quality"] is not None
                             else "not decodable"))
    scenes = ", ".join(f"`{n}` {w}x{h}" for n, (w, h, _, _) in PHOTO_SCENES.items())
    return (
        "## Perceptual matching (PDQ)\n\n"
        "Seven photo-like pictures (" + scenes + ") are abstract scenes: a two-colour sky over a "
        "wavy horizon, a shaded ground, a soft light fall-off, seven translucent ellipses, boxes and "
        "triangles of seeded size, place and colour, smooth texture, fine grain and a slight blur. "
        "Every parameter comes from the SHA-256 stream seeded with the name, so nothing depends on "
        "numpy's random generators. They are JPEG q90 except `harbour` (PNG). `meadow` (1 = A), "
        "`harbour` (2 = B), `dunes` (3 = C) and `lagoon` (1 = A) are in known-vics2.json with their "
        "PDQ; `orchard` is only in known.pdq (import with `--category B`); `copse` and `quarry` are "
        "unknown decoys in the same style.\n\n"
        f"PDQ hashes are pdqhash {pdqhash.__version__} (the reference C++ code) on Pillow's decode of "
        "exactly the bytes written, in the reference's hex format (bit k in 16-bit word k >> 4 at bit "
        "k & 15, words printed %04x from word 15 down to word 0; checked against "
        "`expected-noresize.txt` of the PDQ test vectors). No picture is larger than "
        f"{PDQ_MAX_SIDE} px, so the reference CLI's 512x512 pre-resize changes nothing. Grey "
        "pictures are hashed on the grey value, alpha is dropped, palettes are expanded.\n\n"
        "The script refuses to write fixtures unless: every altered copy that should match is within "
        f"{PDQ_NEAR_DISTANCE} bits of its original (margin under {PDQ_MATCH_DISTANCE} for decoders that "
        "differ by a few bits), is byte-different from everything any hash set names, and has quality "
        f"≥ {PDQ_MIN_QUALITY}; the crop is more than {PDQ_CROP_DISTANCE} bits from its original, plainly "
        "and over all 8 dihedral variants; the mirror is more than "
        f"{PDQ_CROP_DISTANCE} bits from its original but within {PDQ_NEAR_DISTANCE} of its `flipy` "
        "variant (PDQ's name for a left-right mirror; `flipx` is top-bottom), whichever side is "
        "transformed; and every other image (unknown, pending, known only by digest, even the "
        "truncated JPEG as a lenient decoder would decode it) is more than "
        f"{PDQ_FAR_DISTANCE} bits from every known PDQ including all 8 dihedral variants, or has "
        f"quality < {PDQ_MIN_QUALITY}. Distinct known pictures are also more than {PDQ_FAR_DISTANCE} "
        "bits apart, so no match is ambiguous.\n\n"
        "Altered copies (distances in bits from the original's PDQ as measured here; \"dihedral "
        "distance\" is the smallest over the 8 variants, either side transformed):\n\n"
        + case_table
        + "\nThe crop documents what PDQ does not survive: moving the frame shifts every "
          "low-frequency coefficient, so a 12 % crop is as far from the original as an unrelated "
          "picture. Re-encoding, format conversion, resizing, brightness and a small corner mark "
          "change only a few bits.\n\n"
          "Nearest known PDQ for every image that must stay pending (plain distance, picture, then "
          "the smallest dihedral distance): " + "; ".join(decoys) + ".\n\n"
          "Known pictures and their PDQ (`pdq.known_pictures` in the facts also has the 8 dihedral "
          "variants):\n\n" + known_table)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main() -> None:
    check_pictures()
    hashset_files = build_hashsets()
    check_perceptual(hashset_files)
    for d in GENERATED_DIRS:
        shutil.rmtree(ROOT / d, ignore_errors=True)

    for f in EVIDENCE:
        write(ROOT / "evidence" / f.exhibit / f.path, f.data)
    for name, data in hashset_files.items():
        write(ROOT / "hashsets" / name, data)
    facts = build_facts(hashset_files)
    write(ROOT / "expected" / "fixture-facts.json", to_json(facts))
    write(ROOT / "README.md", build_readme(facts))


if __name__ == "__main__":
    main()
