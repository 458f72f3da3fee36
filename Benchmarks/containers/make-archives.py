#!/usr/bin/env python3
"""Generate the recursive-extraction benchmark corpus: ~2,000 archives holding ~20,000 small images.

Usage: python3 Benchmarks/containers/make-archives.py --out DIR [--archives 2000]
           [--images-per-archive 10] [--seed S] [--jobs N]

Everything comes from one fixed seed: archive k is generated from (seed, k) alone, so two runs
produce byte-identical corpora whatever the number of worker processes. Contents are harmless
synthetic material only:

- images: every one drawn by Pillow + numpy (two-axis gradients, stripes, flat backgrounds,
  smooth noise, with shapes and some pixel noise on top), 64x64 to 320x240 pixels, JPEG (60%,
  quality 60-92) or PNG (40%); each carries its serial number in a JPEG comment or a PNG tEXt
  chunk, so every image has its own digest and stays a clean, valid file;
- archives, one third each (by index, in turn): zip (deflate, python zipfile), tar.gz (python
  tarfile + gzip level 6) and 7z (LZMA2, `7z a` from p7zip-full, else `bsdtar --format 7zip`);
  images-per-archive +/- 4 images each (mean images-per-archive), some of them in folders inside
  the archive (DCIM/100CAMERA, export, ...);
- the archives spread over a dozen folders up to 3 levels deep, fixed mtimes everywhere.

DIR/manifest.json records the counts, the total size, and the MD5s of 20 images (for a known-hash
list: `triage scan` should then report 20 known items). DIR must not exist or be empty.
About 1-2 minutes for the full corpus on 2 cores.
"""
import argparse
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

import numpy as np
from PIL import Image, ImageDraw, PngImagePlugin

FIXED_MTIME = 1_700_000_000  # 2023-11-14, as in Benchmarks/make-tree.py
FIXED_DATE = time.gmtime(FIXED_MTIME)[:6]
FORMATS = ("zip", "tar.gz", "7z")
N_KNOWN = 20

FOLDERS = ["Downloads", "Desktop/old", "Backup/2021", "Backup/2022", "Backup/2023/phone",
           "Pictures/export", "Pictures/holiday", "Documents/scans", "AppData/cache",
           "Work/projects/archive", "Temp", "misc"]
INNER_FOLDERS = ["", "", "", "DCIM/100CAMERA", "export", "images/thumbs", "Camera"]
STEMS = ["photos", "album", "backup", "export", "images", "set", "pics", "scan"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--archives", type=int, default=2_000, help="number of archives (default 2000)")
    p.add_argument("--images-per-archive", type=int, default=10, help="mean images per archive (default 10)")
    p.add_argument("--seed", type=int, default=20_241_204)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: the cores)")
    return p.parse_args()


# ---------------------------------------------------------------- images

def draw_image(rng, nrng):
    """One distinct picture, drawn from the archive's own random streams."""
    w = rng.randint(64, 320)
    h = rng.randint(64, 240)
    style = rng.randrange(4)
    if style == 0:  # two-axis gradient
        x = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        c1, c2, c3 = (nrng.random(3, dtype=np.float32) * 255 for _ in range(3))
        arr = (c1 * x + c2 * y + c3 * (1 - x) * (1 - y)) / 2
    elif style == 1:  # stripes
        period = rng.randint(3, 30)
        xs = np.arange(w)[None, :] + (np.arange(h)[:, None] * rng.randint(0, 3))
        band = ((xs // period) % 2).astype(np.float32)[..., None]
        arr = band * (nrng.random(3) * 255) + (1 - band) * (nrng.random(3) * 255)
    elif style == 2:  # flat background: the shapes make the picture
        arr = np.ones((h, w, 3), dtype=np.float32) * (nrng.random(3) * 255)
    else:  # smooth noise: coarse noise scaled up
        small = (nrng.random((max(2, h // 16), max(2, w // 16), 3)) * 255).astype(np.uint8)
        arr = np.asarray(Image.fromarray(small).resize((w, h), Image.BILINEAR), dtype=np.float32)
    noise_level = rng.choice([0, 0, 4, 10, 20])
    if noise_level:
        arr = arr + nrng.normal(0, noise_level, (h, w, 3)).astype(np.float32)
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


def encode(img, fmt, rng, serial):
    """JPEG or PNG bytes with the serial in a comment / text chunk (a digest of its own)."""
    buf = io.BytesIO()
    tag = f"triage-bench image {serial}".encode()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=rng.choice([60, 75, 85, 92]), comment=tag)
    else:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", tag.decode())
        img.save(buf, "PNG", compress_level=6, pnginfo=info)
    return buf.getvalue()


# ---------------------------------------------------------------- archives

def pack_zip(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def pack_tar_gz(path, members):
    with open(path, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=FIXED_MTIME) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uname = info.gname = "bench"
            tar.addfile(info, io.BytesIO(data))


def seven_zip_tool():
    if shutil.which("7z"):
        return "7z"
    if shutil.which("bsdtar"):
        return "bsdtar"
    sys.exit("make-archives: neither 7z (apt-get install p7zip-full) nor bsdtar (libarchive-tools) found")


def pack_7z(path, members, tool):
    """7z needs the members on disk: write them to a scratch folder with fixed mtimes, pack it."""
    with tempfile.TemporaryDirectory(prefix="make-archives-") as tmp:
        names = []
        for name, data in members:
            p = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (FIXED_MTIME, FIXED_MTIME))
            names.append(name)
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                os.utime(os.path.join(root, d), (FIXED_MTIME, FIXED_MTIME))
        if tool == "7z":
            cmd = ["7z", "a", "-t7z", "-mx=5", "-mmt=1", "-bd", "-y", path, "--"] + names
        else:
            cmd = ["bsdtar", "--format", "7zip", "--options", "7zip:compression=lzma2", "-cf", path, "--"] + names
        r = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed for {path}:\n{r.stdout.decode(errors='replace')}")


def make_archive(task):
    """Archive k: everything drawn from (seed, k), so the corpus does not depend on --jobs."""
    root, seed, k, per_archive, tool = task
    rng = random.Random(f"{seed}/{k}")
    nrng = np.random.default_rng([seed, k])
    fmt = FORMATS[k % 3]
    folder = rng.choice(FOLDERS)
    path = os.path.join(root, folder, f"{rng.choice(STEMS)}_{k:05d}.{fmt}")
    count = rng.randint(max(1, per_archive - 4), per_archive + 4)
    inner = rng.choice(INNER_FOLDERS)
    members, jpegs, pngs, md5s = [], 0, 0, []
    for i in range(count):
        serial = k * 1000 + i
        kind = "jpeg" if rng.random() < 0.6 else "png"
        data = encode(draw_image(rng, nrng), kind, rng, serial)
        if kind == "jpeg":
            jpegs += 1
            name = f"IMG_{serial:08d}.{rng.choice(['jpg', 'jpg', 'jpeg', 'JPG'])}"
        else:
            pngs += 1
            name = f"image_{serial:08d}.png"
        name = f"{inner}/{name}" if inner and rng.random() < 0.8 else name
        members.append((name, data))
        md5s.append((hashlib.md5(data).hexdigest(), f"{os.path.relpath(path, root)}/{name}"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if fmt == "zip":
        pack_zip(path, members)
    elif fmt == "tar.gz":
        pack_tar_gz(path, members)
    else:
        pack_7z(path, members, tool)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return fmt, jpegs, pngs, sum(len(d) for _, d in members), os.path.getsize(path), md5s[0]


def main():
    args = parse_args()
    root = os.path.abspath(args.out)
    if os.path.exists(root) and os.listdir(root):
        sys.exit(f"make-archives: {root} exists and is not empty")
    os.makedirs(root, exist_ok=True)
    t0 = time.time()
    tool = seven_zip_tool()

    tasks = [(root, args.seed, k, args.images_per_archive, tool) for k in range(args.archives)]
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        results = pool.map(make_archive, tasks, chunksize=8)  # in archive order: deterministic

    archives = {f: 0 for f in FORMATS}
    archive_bytes = {f: 0 for f in FORMATS}
    jpegs = pngs = image_bytes = 0
    for fmt, j, p, ib, ab, _ in results:
        archives[fmt] += 1
        archive_bytes[fmt] += ab
        jpegs += j
        pngs += p
        image_bytes += ib
    # the first image of every (archives // 20)-th archive: 20 known MD5s spread over all formats
    step = max(1, len(results) // N_KNOWN)
    known = [{"md5": results[k][5][0], "path": results[k][5][1]} for k in range(0, len(results), step)][:N_KNOWN]

    for d, _, _ in os.walk(root):
        os.utime(d, (FIXED_MTIME, FIXED_MTIME))
    manifest = {
        "generator": "Benchmarks/containers/make-archives.py",
        "seed": args.seed,
        "archives": sum(archives.values()),
        "archives_by_format": archives,
        "archive_bytes": sum(archive_bytes.values()),
        "archive_bytes_by_format": archive_bytes,
        "images": jpegs + pngs,
        "jpeg": jpegs,
        "png": pngs,
        "image_bytes": image_bytes,
        "seven_zip_tool": tool,
        "known_md5": known,
    }
    mpath = os.path.join(root, "manifest.json")
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.utime(mpath, (FIXED_MTIME, FIXED_MTIME))
    os.utime(root, (FIXED_MTIME, FIXED_MTIME))

    total = sum(archive_bytes.values())
    print(f"make-archives: {sum(archives.values())} archives ("
          + ", ".join(f"{v} {k}" for k, v in archives.items()) + f"), {total} bytes ({total / 1e6:.1f} MB) "
          f"under {root} in {time.time() - t0:.1f} s", file=sys.stderr)
    print(f"make-archives: {jpegs + pngs} images inside ({jpegs} JPEG, {pngs} PNG), {image_bytes} bytes "
          f"({image_bytes / 1e6:.1f} MB) uncompressed; 7z packed with {tool}; manifest: {mpath}", file=sys.stderr)


if __name__ == "__main__":
    main()
