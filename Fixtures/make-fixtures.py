#!/usr/bin/env python3
"""Regenerate the synthetic test fixtures for triage.

Everything under Fixtures/evidence, Fixtures/hashsets and Fixtures/expected,
plus Fixtures/README.md, is produced by this script; edit the script, not the
outputs. Running it twice on the same machine yields byte-identical files.

All pictures are abstract, text-free patterns (gradients, shapes, grids,
noise) so the fixtures are safe to ship and to look at. The hash sets pretend
some of them are categorised material purely so the import/match code paths
have something to find.

Usage: python3 Fixtures/make-fixtures.py   (needs Pillow and numpy)
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent

# Only these are wiped and rebuilt, so the script and anything hand-written
# next to it survive a regeneration while stale outputs cannot linger.
GENERATED_DIRS = ("evidence", "hashsets", "expected")

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


def encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, **SAVE_OPTIONS[fmt])
    return buf.getvalue()


@dataclass(frozen=True)
class Picture:
    data: bytes
    fmt: str
    made: str


def picture(img: Image.Image, fmt: str, made: str) -> Picture:
    return Picture(encode(img, fmt), fmt, f"{made}, {img.width}x{img.height} {img.mode} {fmt.upper()}")


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
}


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
]


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
VICS1_RECORDS = [("wheel", "2"), ("gradient", "1")]  # gradient agrees with v2
CONFLICT_RECORDS = [("stripes", 1)]                    # v2 says 2
KNOWN_MD5 = ["checker", "squares", "circles"]          # circles also in v2, as 3 = C
KNOWN_SHA256 = ["radial"]
KNOWN_HASHDEEP = ["plasma", "gridlines"]
MALFORMED_MD5 = ["alpha", "wheel", None, "noise", "triangles"]  # None = the bad line
MALFORMED_LINE_NUMBER = MALFORMED_MD5.index(None) + 1


def first_location(name: str) -> str:
    for f in EVIDENCE:
        if f.data == PICTURES[name].data:
            return f"{f.exhibit}/{f.path}"
    raise KeyError(name)


def vics2_media(media_id: int, data: bytes, category: int) -> dict:
    d = digests(data)
    return {
        "MediaID": media_id,
        "Category": category,
        "MD5": d["md5"].upper(),
        "SHA1": d["sha1"],
        "IsPrecategorized": "true",
        "IsDistributed": False,
        "MediaSize": len(data),
        "Comments": [],
    }


def vics2_doc(case_id: str, case_number: str, records: list[tuple[bytes, int]]) -> dict:
    return {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",
        "value": [{
            "CaseID": case_id,
            "CaseNumber": case_number,
            "Media": [vics2_media(i, data, cat) for i, (data, cat) in enumerate(records, start=1)],
        }],
    }


def to_json(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


def build_hashsets() -> dict[str, bytes]:
    p = PICTURES
    known_v2 = vics2_doc(
        "4f1c0a2e-0000-4000-8000-000000000001", "FIXTURE-0001",
        [(p[n].data, c) for n, c in VICS2_RECORDS] + [(UNMATCHED, 2)],
    )
    conflict = vics2_doc(
        "4f1c0a2e-0000-4000-8000-000000000002", "FIXTURE-0002",
        [(p[n].data, c) for n, c in CONFLICT_RECORDS],
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
        "known-vics2.json": [(n, UK_PROFILE[c]) for n, c in VICS2_RECORDS],
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
    for n, c in VICS2_RECORDS:
        result[PICTURES[n].data] = UK_PROFILE[c]
    for n in KNOWN_MD5:
        data = PICTURES[n].data
        # Overlap is intended, disagreement is not: keep the expectation free
        # of any precedence rule the importer might or might not implement.
        assert result.get(data, KNOWN_MD5_CATEGORY) == KNOWN_MD5_CATEGORY, n
        result[data] = KNOWN_MD5_CATEGORY
    return result


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
                assert 48 <= min(im.size) and max(im.size) <= 256, (f.path, im.size)
    # The truncated file must start like a JPEG yet fail to decode fully.
    t = next(f for f in EVIDENCE if not f.decodable)
    assert t.data[:3] == b"\xff\xd8\xff" and not t.data.endswith(b"\xff\xd9")
    # blob.bin must not accidentally carry an image signature.
    blob = next(f for f in EVIDENCE if f.path.endswith("blob.bin"))
    for magic in (b"\xff\xd8", b"\x89PNG", b"GIF8", b"BM", b"RIFF", b"II*", b"MM\x00*"):
        assert not blob.data.startswith(magic)


def build_facts(hashset_files: dict[str, bytes]) -> dict:
    cats = expected_categories()
    claims = hashset_claims()
    files = []
    for f in sorted(EVIDENCE, key=lambda f: (f.exhibit, f.path)):
        image = f.fmt in IMAGE_FORMATS
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
            "expected_category": cats.get(f.data) if image else None,
            "in_hashsets": sorted(
                hs for hs, entries in claims.items()
                if any(PICTURES[n].data == f.data for n, _ in entries)
            ),
        })

    def locations(name: str) -> list[str]:
        return [f"{f.exhibit}/{f.path}" for f in EVIDENCE if f.data == PICTURES[name].data]

    hashsets = {}
    for hs, entries in claims.items():
        hashsets[hs] = {
            "sha256_of_file": hashlib.sha256(hashset_files[hs]).hexdigest(),
            "records": [
                {"md5": digests(PICTURES[n].data)["md5"], "category": c, "matches": locations(n)}
                for n, c in entries
            ],
        }
    hashsets["known-vics2.json"]["unmatched_record"] = {
        "md5": digests(UNMATCHED)["md5"], "category": "B", "size": len(UNMATCHED)}
    hashsets["bad/malformed-line.md5"]["malformed_line_number"] = MALFORMED_LINE_NUMBER
    hashsets["bad/not-json.json"] = {"sha256_of_file": hashlib.sha256(hashset_files["bad/not-json.json"]).hexdigest()}
    hashsets["bad/truncated.json"] = {"sha256_of_file": hashlib.sha256(hashset_files["bad/truncated.json"]).hexdigest(),
                                      "cut_inside_media_id": 2}

    summary: dict[str, dict[str, int]] = {}
    for row in files:
        bucket = (row["expected_category"] or "pending") if row["is_image"] else "not-image"
        s = summary.setdefault(row["exhibit"], {k: 0 for k in ("A", "B", "C", "N", "pending", "not-image")})
        s[bucket] += 1

    return {
        "scenario": "empty database; import hashsets/known-vics2.json (uk profile), "
                    "then hashsets/known.md5 with --category C",
        "category_map_uk": {str(k): v for k, v in UK_PROFILE.items()},
        "summary": summary,
        "files": files,
        "hashsets": hashsets,
    }


README_HEAD = """\
# Test fixtures

**Generated by `make-fixtures.py` — do not edit by hand; change the script and rerun**
(`python3 Fixtures/make-fixtures.py`, needs Pillow + numpy). Output is byte-identical
between runs on the same machine. A different Pillow/libjpeg/libwebp/zlib build may
encode pictures differently; `expected/fixture-facts.json` is regenerated together with
the pictures, so tests that read it stay consistent.

Every picture is an abstract, text-free generated pattern. The hash sets *pretend* some
of them are categorised material so the import and match paths have something to find.

Main scenario (what `expected_category` means): empty database, import
`hashsets/known-vics2.json` with the default `uk` profile (VICS 0→N, 1→A, 2→B, 3→C),
then `hashsets/known.md5 --category C`. `pending` = image not known to either set.

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
        hs = ", ".join(row["in_hashsets"]) or "—"
        rows.append([f"`evidence/{f.exhibit}/{f.path}`", f.made, f.tests, row["kind"],
                     cat, hs, "yes" if row["extension_mismatch"] else "no"])
    evidence_table = md_table(
        ["path", "how made", "what it tests", "kind", "expected category", "in hash sets", "ext mismatch"], rows)

    summary_rows = [[ex, *(str(v) for v in s.values())] for ex, s in facts["summary"].items()]
    summary_table = md_table(["exhibit", "A", "B", "C", "N", "pending", "not image"], summary_rows)

    hs_desc = {
        "known-vics2.json": "VICS 2.0 (`@odata.context`, Cases → Media, integer Category, "
                            "MD5 upper, SHA1 lower). 5 fixture pictures + 1 record matching nothing (MediaID 6).",
        "known-vics1.json": "VICS 1.2 (`odata.metadata`, flat Media, Category as string, "
                            "IsPrecategorized bool). Gradient agrees with v2.",
        "known.md5": f"md5sum format with a leading `#` comment; import with `--category {KNOWN_MD5_CATEGORY}`. "
                     "`IMG_0003.jpg` is also in known-vics2.json (as 3 = C, so no conflict).",
        "known.sha256": "sha256sum format, one line.",
        "known.hashdeep": "hashdeep 1.0, `size,md5,sha256,filename`.",
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
        for n, c in claims.get(name, []):
            hits.append(f"`{first_location(n)}`" + (f" → {c}" if c else ""))
        hs_rows.append([f"`hashsets/{name}`", desc, "<br>".join(hits) or "—"])
    hs_table = md_table(["file", "what", "knows (first location) → category"], hs_rows)

    text = (README_HEAD
            + "\n## Evidence\n\n" + evidence_table
            + "\n## Expected counts after the main scenario\n\n" + summary_table
            + "\n## Hash sets\n\n" + hs_table
            + "\n## Expected facts\n\n"
              "`expected/fixture-facts.json`: for every evidence file its exhibit, path, size, md5, sha1, "
              "sha256, content, is_image, kind, decodable, extension_mismatch, expected_category "
              "(A/B/C/N or null = pending / not an image) and which hash sets name it; plus per-hash-set "
              "records with their matching files, and the per-exhibit summary above.\n")
    return text.encode()


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main() -> None:
    check_pictures()
    for d in GENERATED_DIRS:
        shutil.rmtree(ROOT / d, ignore_errors=True)

    for f in EVIDENCE:
        write(ROOT / "evidence" / f.exhibit / f.path, f.data)
    hashset_files = build_hashsets()
    for name, data in hashset_files.items():
        write(ROOT / "hashsets" / name, data)
    facts = build_facts(hashset_files)
    write(ROOT / "expected" / "fixture-facts.json", to_json(facts))
    write(ROOT / "README.md", build_readme(facts))


if __name__ == "__main__":
    main()
