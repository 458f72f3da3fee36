#!/usr/bin/env python3
"""Reference timings for PDQ hashing of photos: the pdqhash Python package (Meta's C++ PDQ code).

Usage: python3 Benchmarks/pdq/pdqhash-bench.py [--out DIR] [--runs N] [--seed S] [--idle-wait S]

(a) Generates three deterministic synthetic "camera-like" photos of the same made-up scene, at
    512x512, 1600x1004 and 4000x3000: smooth gradients and soft light, blurred-edge shapes, textured
    regions (band-limited noise) and mild per-pixel sensor noise, tuned so that the 4000x3000 JPEG
    (quality 90, 4:2:0) is about 2-2.5 MB like a phone photo. For each size it writes to DIR
    (default /tmp/pdq-bench; regenerated only when missing or --regenerate):
      photo-WxH.jpg   the JPEG (Pillow, quality 90, 4:2:0 chroma subsampling)
      photo-WxH.npy   the JPEG decoded again by Pillow: uint8, shape (H, W, 3), RGB, C order
      photo-WxH.png   the same decoded pixels as an RGB PNG
    and hashes.tsv: the PDQ hash (64 hex digits) and quality of each photo's decoded pixels.
(b) Times pdqhash.compute on the already decoded RGB pixels of each size: median (and min) of
    --runs runs (default 7). pdqhash.compute converts RGB to luma in numpy first
    (0.299 R + 0.587 G + 0.114 B, float32); that step is also timed on its own.
(c) Times Pillow's JPEG decode + pdqhash.compute for the 4000x3000 JPEG (median of --runs), and for
    information the same with Pillow's draft mode (libjpeg DCT scaling: decodes at 1/4 or 1/8
    size), with the Hamming distance of those hashes from the full-size one.

Single thread throughout (pdqhash, Pillow's decoder and these numpy steps are single-threaded).
Harmless synthetic pictures only.
"""
import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from pdqbench_common import OtherLoad, loadavg, wait_idle  # noqa: E402

SIZES = [(512, 512), (1600, 1004), (4000, 3000)]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="/tmp/pdq-bench", help="folder for the images (default /tmp/pdq-bench)")
    p.add_argument("--runs", type=int, default=7, help="timed runs per measurement (default 7, at least 5)")
    p.add_argument("--seed", type=int, default=7, help="scene seed (default 7)")
    p.add_argument("--regenerate", action="store_true", help="write the images even if they exist")
    p.add_argument("--idle-wait", type=int, default=0,
                   help="before each measurement wait up to S seconds for the machine to be idle (default 0)")
    a = p.parse_args()
    if a.runs < 5:
        p.error("--runs must be at least 5")
    return a


# ---------------------------------------------------------------- the synthetic photo

def scene(seed):
    """Size-independent description of the picture (coordinates as fractions of width/height)."""
    r = np.random.default_rng(seed)
    s = {
        "top": r.uniform(60, 200, 3), "bottom": r.uniform(30, 160, 3),
        "waves": [(r.uniform(0.5, 3.0), r.uniform(0.5, 3.0), r.uniform(0, 2 * np.pi), r.uniform(8, 25, 3))
                  for _ in range(4)],
        "light": (r.uniform(0.2, 0.8), r.uniform(0.1, 0.5), r.uniform(0.3, 0.6), r.uniform(25, 45)),
        "shapes": [],
    }
    for _ in range(28):
        kind = r.choice(["ellipse", "rectangle", "polygon"])
        cx, cy = r.uniform(0, 1, 2)
        rw, rh = r.uniform(0.03, 0.25, 2)
        pts = [(cx + rw * np.cos(t), cy + rh * np.sin(t))
               for t in np.sort(r.uniform(0, 2 * np.pi, int(r.integers(3, 8))))]
        s["shapes"].append((kind, (cx - rw, cy - rh, cx + rw, cy + rh), pts,
                            tuple(int(v) for v in r.integers(20, 236, 3)), r.uniform(0.5, 0.95)))
    # textured regions (foliage, fabric, gravel...): soft-edged ellipses with a texture strength
    s["textures"] = [(r.uniform(0, 1, 2), r.uniform(0.1, 0.45, 2), r.uniform(0.6, 1.0)) for _ in range(7)]
    return s


def _upscaled_noise(rng, w, h, cell, amp):
    """Band-limited noise: random values on a grid of `cell`-pixel cells, bicubic-resized to w x h."""
    gw, gh = max(2, w // cell), max(2, h // cell)
    small = Image.fromarray(rng.normal(0, 1, (gh, gw)).astype(np.float32), mode="F")
    return np.asarray(small.resize((w, h), Image.BICUBIC), dtype=np.float32) * amp


def make_photo(seed, w, h):
    s = scene(seed)
    rng = np.random.default_rng([seed, w, h])
    x = (np.arange(w, dtype=np.float32) + 0.5)[None, :] / w
    y = (np.arange(h, dtype=np.float32) + 0.5)[:, None] / h

    # smooth vertical gradient with a few large, gentle colour waves and a soft light source
    img = np.empty((h, w, 3), dtype=np.float32)
    for c in range(3):
        img[:, :, c] = s["top"][c] * (1 - y) + s["bottom"][c] * y
    for fx, fy, ph, amp in s["waves"]:
        wave = np.cos(2 * np.pi * fx * x + ph) * np.cos(2 * np.pi * fy * y + ph / 2)
        for c in range(3):
            img[:, :, c] += amp[c] * wave
    lx, ly, lr, la = s["light"]
    img += (la * np.exp(-((x - lx) ** 2 + (y - ly) ** 2) / (2 * lr ** 2)))[:, :, None]

    # shapes with slightly blurred edges (out-of-focus objects), alpha-blended; each drawn only
    # over its bounding box (plus a margin for the blur)
    blur = max(1.0, w / 1500)
    margin = int(3 * blur) + 2
    for kind, box, pts, colour, alpha in s["shapes"]:
        x0, y0 = max(0, int(box[0] * w) - margin), max(0, int(box[1] * h) - margin)
        x1, y1 = min(w, int(np.ceil(box[2] * w)) + margin), min(h, int(np.ceil(box[3] * h)) + margin)
        if kind == "polygon":
            xs, ys = [px for px, _ in pts], [py for _, py in pts]
            x0, y0 = max(x0, int(min(xs) * w) - margin), max(y0, int(min(ys) * h) - margin)
            x1, y1 = min(x1, int(np.ceil(max(xs) * w)) + margin), min(y1, int(np.ceil(max(ys) * h)) + margin)
        if x1 <= x0 or y1 <= y0:
            continue
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        d = ImageDraw.Draw(mask)
        if kind == "ellipse":
            d.ellipse([box[0] * w - x0, box[1] * h - y0, box[2] * w - x0, box[3] * h - y0], fill=255)
        elif kind == "rectangle":
            d.rectangle([box[0] * w - x0, box[1] * h - y0, box[2] * w - x0, box[3] * h - y0], fill=255)
        else:
            d.polygon([(px * w - x0, py * h - y0) for px, py in pts], fill=255)
        m = np.asarray(mask.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32) * (alpha / 255)
        # shade each shape: a gradient across it, so it is not a flat colour
        shade = 1 + 0.25 * (x[:, x0:x1] - (box[0] + box[2]) / 2) / max(1e-3, box[2] - box[0])
        part = img[y0:y1, x0:x1]
        for c in range(3):
            part[:, :, c] += m * (colour[c] * shade - part[:, :, c])

    # texture: band-limited luminance noise at a few fine scales (absolute pixel sizes, like real
    # detail at camera resolution), strongest inside the textured regions, faint elsewhere
    region = np.full((h, w), 0.12, dtype=np.float32)
    for (cx, cy), (rx, ry), strength in s["textures"]:
        dd = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
        region = np.maximum(region, strength * np.clip(1.5 - dd, 0, 1))
    tex = _upscaled_noise(rng, w, h, 12, 11.0) + _upscaled_noise(rng, w, h, 4, 9.0) + _upscaled_noise(rng, w, h, 2, 6.0)
    tex *= region
    img += tex[:, :, None] * np.array([1.0, 0.95, 0.85], dtype=np.float32)
    del tex, region

    # sensor noise: mostly luminance, a little chroma
    img += rng.normal(0, 1.5, (h, w, 1)).astype(np.float32)
    img += rng.normal(0, 0.5, (h, w, 3)).astype(np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- hashing helpers

def pdq_hex(vector):
    """pdqhash's 256-vector (bit 255 first) as the usual 64-hex-digit PDQ string."""
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex()


def hamming_hex(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def luma(rgb):  # the conversion pdqhash.compute does before hashing
    return (rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114).astype("float32")


def decode(path, draft=None):
    im = Image.open(path)
    if draft:
        im.draft("RGB", draft)
    return np.array(im.convert("RGB"))  # a writable, C-contiguous (H, W, 3) uint8 array


def timed(fn, runs, idle_wait):
    """(median s, min s, OtherLoad over all runs, result) of fn() run `runs` times after one warm-up."""
    result = fn()
    wait_idle(idle_wait)
    times = []
    with OtherLoad() as load:
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), load, result


def main():
    a = parse_args()
    import pdqhash

    os.makedirs(a.out, exist_ok=True)
    print(f"pdqhash {getattr(pdqhash, '__version__', '?')}, Pillow {Image.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, single thread; load average {loadavg()}")

    photos = []
    for w, h in SIZES:
        base = os.path.join(a.out, f"photo-{w}x{h}")
        if a.regenerate or not all(os.path.exists(base + e) for e in (".jpg", ".npy", ".png")):
            t0 = time.perf_counter()
            Image.fromarray(make_photo(a.seed, w, h)).save(base + ".jpg", quality=90, subsampling=2)
            pixels = decode(base + ".jpg")
            np.save(base + ".npy", pixels)
            Image.fromarray(pixels).save(base + ".png", compress_level=1)
            print(f"generated {base}.jpg/.npy/.png in {time.perf_counter() - t0:.1f} s")
        pixels = np.load(base + ".npy")
        assert pixels.shape == (h, w, 3) and pixels.dtype == np.uint8
        photos.append((w, h, base, pixels))

    print()
    print(f"{'image':<16} {'JPEG bytes':>11} {'pixels':>11}  {'pdqhash.compute ms':>19} {'(min)':>8}  "
          f"{'of which luma ms':>16} {'other CPU s':>11}  quality  PDQ hash (decoded pixels)")
    rows, skewed = [], []
    for w, h, base, pixels in photos:
        med, mn, load, (vec, quality) = timed(lambda: pdqhash.compute(pixels), a.runs, a.idle_wait)
        lmed, _, lload, _ = timed(lambda: luma(pixels), a.runs, a.idle_wait)
        hexhash = pdq_hex(vec)
        rows.append((os.path.basename(base), w, h, os.path.getsize(base + ".jpg"), hexhash, quality))
        print(f"{w}x{h:<11} {os.path.getsize(base + '.jpg'):>11,} {w * h:>11,}  {med * 1e3:>19.1f} {mn * 1e3:>8.1f}  "
              f"{lmed * 1e3:>16.1f} {load.other + lload.other:>11.2f}  {quality:>7}  {hexhash}")
        skewed += [x for x in (load, lload) if x.other > max(0.1 * x.wall, 0.05)]

    w, h, base, _ = photos[-1]
    jpg = base + ".jpg"
    print()
    print(f"{'decode + hash, ' + os.path.basename(jpg):<44} {'median ms':>10} {'(min)':>8}  {'decoded':>10} {'other CPU s':>11}  distance from full")
    full_hex = rows[-1][4]
    for label, draft in (("Pillow decode only", None), ("Pillow decode + pdqhash.compute", None),
                         ("  draft >= 512 px (DCT 1/4) + pdqhash", (512, 512)),
                         ("  draft 1/8 (DCT 1/8) + pdqhash", (w // 8, h // 8))):
        if label.startswith("Pillow decode only"):
            fn = lambda: decode(jpg)  # noqa: E731
        else:
            fn = lambda d=draft: pdqhash.compute(decode(jpg, d))  # noqa: E731
        med, mn, load, res = timed(fn, a.runs, a.idle_wait)
        skewed += [load] if load.other > max(0.1 * load.wall, 0.05) else []
        size = decode(jpg, draft).shape
        dist = "" if label.startswith("Pillow decode only") else str(hamming_hex(pdq_hex(res[0]), full_hex))
        print(f"{label:<44} {med * 1e3:>10.1f} {mn * 1e3:>8.1f}  {size[1]:>4}x{size[0]:<5} {load.other:>11.2f}  {dist}")

    with open(os.path.join(a.out, "hashes.tsv"), "w") as f:
        f.write("# file\twidth\theight\tjpeg_bytes\tpdq_hex\tquality\n")
        for name, w, h, size, hexhash, quality in rows:
            f.write(f"{name}.npy\t{w}\t{h}\t{size}\t{hexhash}\t{quality}\n")
    print()
    print(f"median of {a.runs} runs after a warm-up; images and hashes.tsv in {a.out}; load average {loadavg()}")
    print("(other CPU s: CPU seconds other processes used, or the hypervisor stole, during that row's runs; ~0 when idle)")
    if skewed:
        print(f"WARNING: other work ran on the machine during {len(skewed)} measurement(s): rerun when idle")


if __name__ == "__main__":
    main()
