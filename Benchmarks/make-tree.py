#!/usr/bin/env python3
"""Generate the benchmark evidence tree: ~20,000 files, ~350 MB, always the same bytes.

Usage: python3 Benchmarks/make-tree.py DIR [--files N] [--megabytes M] [--seed S]

Everything comes from one fixed seed (Python `random` + numpy), so two runs produce
byte-identical trees. Contents are harmless synthetic material only:

- images: a pool of a few hundred distinct JPEG/PNG/GIF/BMP/WebP pictures drawn by Pillow from
  gradients, stripes, shapes and noise; each file is a pool image with a few unique bytes
  appended after the image end, so every file has its own digest but stays a valid image;
- text files of varied sizes (20 B to ~60 KB), sliced from a generated corpus;
- zip archives (python zipfile) holding text and images;
- small random binaries, and a few larger ones (several MB) that bring the total to the target;
- renamed files: images named .txt/.dll, text named .jpg;
- a few empty files;
nested in subdirectories up to 5 levels deep, at most a few hundred files per folder.

DIR must not exist or be empty. Takes ~1 minute on 2 cores.
"""
import argparse
import io
import os
import random
import sys
import time
import zipfile

import numpy as np
from PIL import Image, ImageDraw

FIXED_MTIME = 1_700_000_000  # 2023-11-14, so that the tree's metadata is reproducible too

WORDS = (
    "the of and to in is was for on that with by as at from this be are or an which have has not "
    "but were had it its they their been one all also more other some these than into two when "
    "only time over new after first most such may would where between each many those made under "
    "report invoice meeting schedule account system network server backup archive document review "
    "project budget quarter delivery customer order shipment contract policy update version release "
    "config value error warning info debug request response status session user admin service"
).split()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("--files", type=int, default=20_000, help="number of files (default 20000)")
    p.add_argument("--megabytes", type=int, default=350, help="approximate total size in MB (default 350)")
    p.add_argument("--seed", type=int, default=20_240_611)
    return p.parse_args()


# ---------------------------------------------------------------- image pool

def draw_image(rng, nrng, index):
    """One distinct picture: a gradient, stripes or shapes background, some noise on top."""
    w = rng.choice([64, 96, 128, 160, 200, 240, 256, 320, 400, 480, 512, 640])
    h = rng.choice([64, 96, 128, 160, 200, 240, 256, 320, 400, 480])
    style = index % 4
    if style == 0:  # two-axis gradient
        x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        c1, c2, c3 = (nrng.random(3) * 255 for _ in range(3))
        arr = (c1[None, None, :] * x[..., None] + c2[None, None, :] * y[..., None]
               + c3[None, None, :] * (1 - x[..., None]) * (1 - y[..., None])) / 2
    elif style == 1:  # stripes
        period = rng.randint(4, 40)
        xs = np.arange(w)[None, :] + (np.arange(h)[:, None] * rng.randint(0, 3))
        band = ((xs // period) % 2).astype(np.float32)[..., None]
        arr = band * (nrng.random(3) * 255) + (1 - band) * (nrng.random(3) * 255)
    elif style == 2:  # flat background, drawn later
        arr = np.ones((h, w, 3), dtype=np.float32) * (nrng.random(3) * 255)
    else:  # smooth noise: coarse noise scaled up
        small = nrng.random((max(2, h // 16), max(2, w // 16), 3)) * 255
        arr = np.asarray(Image.fromarray(small.astype(np.uint8)).resize((w, h), Image.BILINEAR), dtype=np.float32)
    noise_level = rng.choice([0, 4, 12, 30])
    if noise_level:
        arr = arr + nrng.normal(0, noise_level, arr.shape if arr.ndim == 3 else (h, w, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(1, 8)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randint(4, w // 2 + 4), y0 + rng.randint(4, h // 2 + 4)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            d.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            d.rectangle([x0, y0, x1, y1], outline=colour, width=rng.randint(1, 5))
    return img


def encode(img, fmt, rng):
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=rng.choice([60, 75, 85, 92]))
    elif fmt == "png":  # lossless: keep PNGs and GIFs about as small as the JPEGs
        img.resize((max(16, img.width // 2), max(16, img.height // 2))).save(buf, "PNG", compress_level=6)
    elif fmt == "gif":
        img.resize((max(16, img.width // 2), max(16, img.height // 2))).convert("P", palette=Image.ADAPTIVE, colors=64).save(buf, "GIF")
    elif fmt == "bmp":
        # keep BMPs small: they are uncompressed
        img.resize((max(16, img.width // 3), max(16, img.height // 3))).save(buf, "BMP")
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=rng.choice([50, 70, 85]), method=0)
    return buf.getvalue()


EXT = {"jpeg": ["jpg", "jpeg", "JPG"], "png": ["png"], "gif": ["gif"], "bmp": ["bmp"], "webp": ["webp"]}


def make_pool(rng, nrng, count):
    formats = ["jpeg"] * 50 + ["png"] * 22 + ["gif"] * 10 + ["bmp"] * 6 + ["webp"] * 12
    pool = []
    for i in range(count):
        fmt = formats[i % len(formats)]
        pool.append((fmt, encode(draw_image(rng, nrng, i), fmt, rng)))
    return pool


# ---------------------------------------------------------------- text

def make_corpus(rng, size):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 18)))
        if rng.random() < 0.15:
            line = f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} " \
                   f"{rng.choice(['INFO', 'WARN', 'ERROR', 'DEBUG'])} {line}"
        line = line.capitalize() + ".\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


def text_bytes(rng, corpus, serial):
    # log-uniform size between 20 B and ~60 KB: mostly small, some large
    size = int(20 * (3_000 ** rng.random()))
    start = rng.randrange(0, len(corpus) - size - 1)
    return f"Document {serial}\n".encode() + corpus[start:start + size]


# ---------------------------------------------------------------- tree layout

def make_dirs(rng, root, count):
    names = ["Documents", "Pictures", "Downloads", "Desktop", "AppData", "Temp", "Backup", "Photos",
             "Work", "Archive", "cache", "misc", "export", "scans", "old", "2019", "2020", "2021", "2022", "2023"]
    dirs = [""]
    while len(dirs) < count:
        parent = rng.choice(dirs)
        if parent.count("/") >= 4:  # at most 5 levels below the root
            continue
        child = (parent + "/" if parent else "") + f"{rng.choice(names)}_{len(dirs):03d}"
        dirs.append(child)
    for d in dirs[1:]:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    return dirs


def main():
    args = parse_args()
    root = os.path.abspath(args.dir)
    if os.path.exists(root) and os.listdir(root):
        sys.exit(f"make-tree: {root} exists and is not empty")
    os.makedirs(root, exist_ok=True)
    rng = random.Random(args.seed)
    nrng = np.random.default_rng(args.seed)
    t0 = time.time()

    n = args.files
    target = args.megabytes * 1_000_000
    pool = make_pool(rng, nrng, 360)
    corpus = make_corpus(rng, 4_000_000)
    # ~100 files per folder on average, a few hundred at most
    dirs = make_dirs(rng, root, max(2, n // 100))
    per_dir = {d: 0 for d in dirs}
    used_names = set()

    def place(name):
        while True:
            d = rng.choice(dirs)
            if per_dir[d] < 300:
                break
        per_dir[d] += 1
        stem, dot, ext = name.rpartition(".")
        path = os.path.join(d, name)
        k = 1
        while path in used_names:
            path = os.path.join(d, f"{stem}_{k}.{ext}")
            k += 1
        used_names.add(path)
        return os.path.join(root, path)

    def write(path, data):
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))

    counts = {}
    total = 0

    def emit(kind, name, data):
        nonlocal total
        write(place(name), data)
        counts[kind] = counts.get(kind, 0) + 1
        total += len(data)

    # The mix (fractions of n); the large binaries are added at the end to reach the size target.
    n_large = 20
    n_empty = 20
    n_zip = int(n * 0.03)
    n_img_renamed = int(n * 0.025)
    n_txt_renamed = int(n * 0.015)
    n_bin = int(n * 0.10)
    n_img = int(n * 0.45)
    n_txt = n - (n_large + n_empty + n_zip + n_img_renamed + n_txt_renamed + n_bin + n_img)

    def unique_image(serial):
        fmt, data = pool[rng.randrange(len(pool))]
        # bytes after the image end (JPEG EOI, PNG IEND, GIF trailer...): still a valid image,
        # but a digest of its own
        return fmt, data + b"\x00TRIAGE-BENCH" + serial.to_bytes(4, "big") + bytes(rng.randrange(256) for _ in range(3))

    serial = 0
    jobs = ([("img", i) for i in range(n_img)] + [("txt", i) for i in range(n_txt)]
            + [("bin", i) for i in range(n_bin)] + [("zip", i) for i in range(n_zip)]
            + [("img_renamed", i) for i in range(n_img_renamed)] + [("txt_renamed", i) for i in range(n_txt_renamed)]
            + [("empty", i) for i in range(n_empty)])
    rng.shuffle(jobs)
    for kind, i in jobs:
        serial += 1
        if kind == "img":
            fmt, data = unique_image(serial)
            emit(kind, f"IMG_{serial:05d}.{rng.choice(EXT[fmt])}", data)
        elif kind == "img_renamed":
            fmt, data = unique_image(serial)
            emit(kind, f"{rng.choice(['notes', 'readme', 'system', 'helper', 'update'])}{serial}.{rng.choice(['txt', 'dll'])}", data)
        elif kind == "txt":
            ext = rng.choice(["txt", "txt", "log", "csv", "md", "ini"])
            emit(kind, f"doc_{serial:05d}.{ext}", text_bytes(rng, corpus, serial))
        elif kind == "txt_renamed":
            emit(kind, f"photo_{serial:05d}.jpg", text_bytes(rng, corpus, serial))
        elif kind == "bin":
            size = int(64 * (1024 ** rng.random()))  # 64 B .. 64 KB
            emit(kind, f"data_{serial:05d}.{rng.choice(['bin', 'dat', 'tmp', 'db'])}", nrng.bytes(size))
        elif kind == "zip":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for m in range(rng.randint(1, 6)):
                    info = zipfile.ZipInfo(f"member_{m}.{'txt' if m % 2 else 'jpg'}", date_time=(2023, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, text_bytes(rng, corpus, serial) if m % 2 else unique_image(serial)[1])
            emit(kind, f"archive_{serial:05d}.zip", buf.getvalue())
        elif kind == "empty":
            emit(kind, f"empty_{serial:05d}.txt", b"")

    # Large binaries fill the remainder (at least 2 MB each).
    remaining = max(target - total, n_large * 2_000_000)
    weights = [rng.uniform(0.5, 1.5) for _ in range(n_large)]
    for w in weights:
        serial += 1
        size = max(2_000_000, int(remaining * w / sum(weights)))
        emit("large_bin", f"blob_{serial:05d}.{rng.choice(['bin', 'vhd', 'pak', 'dat'])}", nrng.bytes(size))

    for d in dirs:
        os.utime(os.path.join(root, d), (FIXED_MTIME, FIXED_MTIME))
    print(f"make-tree: {sum(counts.values())} files, {total} bytes ({total / 1e6:.1f} MB) in {len(dirs)} folders "
          f"under {root} in {time.time() - t0:.1f} s", file=sys.stderr)
    print("make-tree: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
