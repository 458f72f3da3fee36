#!/usr/bin/env python3
"""How many bits does `--decode fast` move? (Docs/perceptual.md, "Fast mode")

Builds camera-sized JPEGs from the real photos in ../shared/testdata/pdq/images (every one of
at least 200 px, resampled with Lanczos to 4000x3000, 2048x1536 and 1280x1024, JPEG quality
90, 4:2:0), adds the shared photos whose short side is already >= 1024 px and, when present,
the benchmark photos from pdqhash-bench.py, then hashes each with `triage inspect --json` in
exact and in fast mode and prints the distances.

Usage: python3 Benchmarks/pdq/fast-mode.py [--triage PATH] [--out DIR]
(needs Pillow; a release build: swift build -c release --scratch-path .build-bench)
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triage", default=os.path.join(REPO, ".build-bench/release/triage"))
    parser.add_argument("--out", default="/tmp/triage-fast-mode")
    parser.add_argument("--shared", default=os.path.join(REPO, "..", "shared", "testdata", "pdq", "images"))
    args = parser.parse_args()
    if not os.path.isdir(args.shared):
        print(f"fast-mode.py: {args.shared} is missing; it needs ../shared/testdata", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)

    sources = sorted(glob.glob(args.shared + "/*/*.jp*g") + glob.glob(args.shared + "/*/*.png"))
    files = []
    for source in sources:
        image = Image.open(source)
        if min(image.size) >= 1024 and source.lower().endswith((".jpg", ".jpeg")):
            files.append(source)
        if min(image.size) < 200:
            continue
        rgb = image.convert("RGB")
        stem = os.path.splitext(os.path.basename(source))[0]
        for width, height in [(4000, 3000), (2048, 1536), (1280, 1024)]:
            target = os.path.join(args.out, f"{stem}-{width}x{height}.jpg")
            if not os.path.exists(target):
                rgb.resize((width, height), Image.LANCZOS).save(target, quality=90, subsampling=2)
            files.append(target)
    files += sorted(glob.glob("/tmp/pdq-bench/photo-*x*.jpg"))

    environment = dict(os.environ, TRIAGE_HASHDB=os.path.join(args.out, "no-database.sqlite"))

    def inspect(extra):
        output = subprocess.run([args.triage, "inspect", "--json", *extra, *files], env=environment,
                                check=True, capture_output=True).stdout
        return json.loads(output)

    exact, fast = inspect([]), inspect(["--decode", "fast"])
    rows = []
    for a, b in zip(exact, fast):
        if b.get("decode_scale", 1) == 1:
            continue  # too small to be scaled: fast mode changes nothing
        distance = bin(int(a["pdq"], 16) ^ int(b["pdq"], 16)).count("1")
        rows.append((distance, a["pdq_quality"], b["decode_scale"], os.path.basename(a["path"])))
    rows.sort(reverse=True)
    print("bits moved  quality  scale  file")
    for distance, quality, scale, name in rows:
        print(f"{distance:10d}  {quality:7d}  1/{scale:<4d} {name}")
    good = [r[0] for r in rows if r[1] >= 80]
    print(f"\n{len(rows)} JPEGs decoded at a reduced scale; {len(good)} of quality >= 80: "
          f"median {statistics.median(good)} bits, max {max(good)}, {sum(1 for d in good if d > 10)} over 10 bits")
    for scale in (2, 4, 8):
        part = [r[0] for r in rows if r[2] == scale and r[1] >= 80]
        if part:
            print(f"  at 1/{scale}: {len(part)} files, median {statistics.median(part)}, max {max(part)}")
    print("rule: fast mode may be the default only if every photo of quality >= 80 stays within 10 bits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
