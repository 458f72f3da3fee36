#!/usr/bin/env python3
"""Regenerate the container fixtures for triage's recursive-extraction stage.

Writes Fixtures/evidence/exhibit-3 (a realistic exhibit full of archives,
compressed files, office documents, a PDF and JPEGs with EXIF thumbnails),
Fixtures/containers/bad (hostile and damaged containers),
Fixtures/containers/rar/*.rar (decoded from the libarchive test files kept
next to them as .uu text), Fixtures/expected/container-facts.json, and the
"## Containers (make-containers.py)" section at the end of Fixtures/README.md.

Usage: python3 Fixtures/make-containers.py
       (run after make-fixtures.py: that script wipes evidence/ and rewrites
       README.md; this one only rebuilds exhibit-3, containers/bad,
       containers/rar/*.rar and its own README section)

Needs Pillow, numpy, pdqhash (through make-fixtures.py, whose picture and PDQ
code is reused), cryptography (AES for the encrypted zip/7z), and the command
line tools 7z (p7zip-full or 7-Zip), xorriso, zstd (optional), bsdtar and
file (libmagic) for the checks.

Member contents are the exact bytes of existing exhibit-1/exhibit-2 pictures,
so the existing hash sets already know some of them; expected categories are
looked up in expected/fixture-facts.json by SHA-256. The only new pictures
are the two EXIF-thumbnail JPEGs (abstract photo-like scenes, as in
make-fixtures.py).

Determinism: every timestamp is 2020-01-01 00:00:00 UTC (SOURCE_DATE_EPOCH
1577836800), owner 0/0, members in sorted order. zip, tar, gzip, bzip2, xz,
cpio, the OOXML/ODF documents, the PDF, the encrypted zips (ZipCrypto and
WinZip AES) and the encrypted 7z archives are written by this script itself
(the "random" salts and IVs come from a SHA-256 stream, so they are fixed);
only camera.7z (7z), cd.iso (xorriso) and the .tar.zst (zstd) use external
writers, with pinned options. Two runs give byte-identical files; the script
checks every output it can with bsdtar/7z/unzip/qpdf when they are present.
"""

from __future__ import annotations

import binascii
import bz2
import hashlib
import hmac
import importlib.util
import io
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent
EVIDENCE = ROOT / "evidence"
EXHIBIT = EVIDENCE / "exhibit-3"
BAD = ROOT / "containers" / "bad"
RAR = ROOT / "containers" / "rar"
FACTS = ROOT / "expected" / "container-facts.json"
README = ROOT / "README.md"
README_SECTION = "## Containers (make-containers.py)"

EPOCH = 1577836800                      # 2020-01-01 00:00:00 UTC
DATE_TIME = (2020, 1, 1, 0, 0, 0)       # the same, for zip headers
DOS_TIME, DOS_DATE = 0, ((2020 - 1980) << 9) | (1 << 5) | 1
FILETIME = (EPOCH + 11644473600) * 10_000_000   # 7z: 100 ns ticks since 1601
PASSWORD = "secret"

os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
os.environ["TZ"] = "UTC"
os.umask(0o022)


def load_make_fixtures():
    """make-fixtures.py as a module: its picture generators, encoder options
    and PDQ helpers, so new pictures are made and measured the same way."""
    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "make-fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_fixtures"] = module
    spec.loader.exec_module(module)
    return module


MF = load_make_fixtures()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def det_bytes(seed: str, n: int) -> bytes:
    return MF.det_bytes("make-containers:" + seed, n)


# --------------------------------------------------------------------------
# Sources: existing fixture pictures, with their expected category
# --------------------------------------------------------------------------

FIXTURE_FACTS = json.loads((ROOT / "expected" / "fixture-facts.json").read_text())
_BY_SHA = {}
for _f in FIXTURE_FACTS["files"]:
    _BY_SHA.setdefault(_f["sha256"], _f)


def src(exhibit_path: str) -> bytes:
    """Bytes of an existing evidence file, e.g. 'exhibit-1/DCIM/100CAM/IMG_0001.jpg'."""
    data = (EVIDENCE / exhibit_path).read_bytes()
    exhibit, path = exhibit_path.split("/", 1)
    fact = next(f for f in FIXTURE_FACTS["files"] if f["exhibit"] == exhibit and f["path"] == path)
    assert fact["sha256"] == sha256(data), f"{exhibit_path} differs from fixture-facts.json: rerun make-fixtures.py"
    return data


IMG_0001 = "exhibit-1/DCIM/100CAM/IMG_0001.jpg"          # gradient, A
IMG_0002 = "exhibit-1/DCIM/100CAM/IMG_0002.jpg"          # checker, C
IMG_0003 = "exhibit-1/DCIM/100CAM/IMG_0003.jpg"          # circles, C
IMG_0101 = "exhibit-1/DCIM/100CAM/IMG_0101.jpg"          # meadow, A
IMG_0102 = "exhibit-1/DCIM/100CAM/IMG_0102.jpg"          # dunes, C
IMG_0150 = "exhibit-1/Pictures/holiday/IMG_0150.jpg"     # quarry, pending
IMG_0101_SMALL = "exhibit-1/Pictures/edited/IMG_0101-small.jpg"   # meadow 60 %, A (PDQ)
BEACH = "exhibit-1/Pictures/holiday/beach.png"           # stripes, B
OVERLAY = "exhibit-1/Pictures/holiday/overlay-alpha.png"  # alpha, pending
SUNSET = "exhibit-1/Pictures/holiday/sunset-grey.png"    # radial, pending
PATTERN = "exhibit-1/Downloads/pattern.gif"              # diamonds, N
SYSTEM32 = "exhibit-1/Downloads/system32.dll"            # interference JPEG, A
TILE = "exhibit-1/Downloads/tile.webp"                   # wheel, pending
SCAN_BMP = "exhibit-1/Documents/scan.bmp"                # plasma, pending
PLATE = "exhibit-1/Documents/plate.tiff"                 # gridlines, pending
IMG_2001 = "exhibit-2/Pictures/IMG_2001.jpg"             # noise, pending
DIAGRAM = "exhibit-2/Pictures/diagram.png"               # squares, C
TRIANGLES = "exhibit-2/Documents/notes.txt"              # triangles PNG named .txt, pending
HARBOUR_JPG = "exhibit-2/Downloads/resaved/harbour.jpg"  # harbour PNG->JPEG, B (PDQ)
HARBOUR_PNG = "exhibit-2/Pictures/harbour.png"           # harbour, B (185 kB)

IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*",
                    b"\x00\x00\x00\x0cjP  \r\n\x87\n")  # the last: JPEG 2000 (JP2)


def is_still(data: bytes) -> bool:
    return data.startswith(IMAGE_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


# --------------------------------------------------------------------------
# Members: what goes into a container, and what triage should find
# --------------------------------------------------------------------------

@dataclass
class Member:
    path: str                    # member path inside its container
    data: bytes
    source: str | None = None    # the evidence file the bytes come from
    note: str | None = None
    children: list["Member"] = field(default_factory=list)   # if this member is a container itself
    container: str | None = None                              # its format, if it is one
    category: str | None = None  # override (new pictures): A/B/C/N/pending
    basis: str | None = None


def pic(path: str, source: str, note: str | None = None) -> Member:
    return Member(path, src(source), source, note)


def text(path: str, body: str) -> Member:
    return Member(path, body.encode())


def expected(m: Member) -> tuple[str | None, str | None]:
    """(category in the main scenario, basis) by SHA-256 via fixture-facts.json."""
    if m.category is not None:
        return m.category, m.basis
    if not is_still(m.data):
        return None, None
    f = _BY_SHA.get(sha256(m.data))
    if f is None:
        return "pending", None
    return (f["expected_category"] or "pending"), f["expected_basis"]


# --------------------------------------------------------------------------
# Writers (all deterministic)
# --------------------------------------------------------------------------

def zip_info(name: str, method: int = zipfile.ZIP_DEFLATED, mode: int = 0o100644) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=DATE_TIME)
    zi.create_system = 3
    zi.compress_type = method
    zi.external_attr = (mode << 16) | (0x10 if name.endswith("/") else 0)
    return zi


STORED_SUFFIXES = (".jpg", ".jpeg", ".gz", ".zip", ".7z", ".xz", ".bz2", ".zst")


def zip_bytes(members: list[Member], dirs: tuple[str, ...] = (), stored: tuple[str, ...] = STORED_SUFFIXES,
              keep_order: bool = False) -> bytes:
    """A zip written by Python's zipfile: directories first, then members in
    sorted order (unless keep_order), already-compressed data stored."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for d in sorted(dirs):
            zf.writestr(zip_info(d, zipfile.ZIP_STORED, 0o40755), b"")
        for m in (members if keep_order else sorted(members, key=lambda m: m.path)):
            method = zipfile.ZIP_STORED if m.path.lower().endswith(stored) else zipfile.ZIP_DEFLATED
            zf.writestr(zip_info(m.path, method), m.data, compresslevel=9)
    return buf.getvalue()


def tar_bytes(members: list[Member], dirs: tuple[str, ...] = (), fmt: int = tarfile.USTAR_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for d in sorted(dirs):
            tf.addfile(tar_info(d, tarfile.DIRTYPE, 0o755))
        for m in sorted(members, key=lambda m: m.path):
            ti = tar_info(m.path, tarfile.REGTYPE, 0o644)
            ti.size = len(m.data)
            tf.addfile(ti, io.BytesIO(m.data))
    return buf.getvalue()


def tar_info(name: str, type_: bytes, mode: int) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime = type_, mode, EPOCH
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def gzip_bytes(data: bytes, fname: str | None = None, mtime: int = 0) -> bytes:
    """gzip by hand: fixed header (optionally FNAME, as `gzip file` writes),
    OS = Unix, raw deflate level 9, CRC-32 and size."""
    flags = 0x08 if fname else 0
    header = struct.pack("<BBBBIBB", 0x1F, 0x8B, 8, flags, mtime, 2, 3)
    if fname:
        header += fname.encode("latin-1") + b"\0"
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    body = c.compress(data) + c.flush()
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def bzip2_bytes(data: bytes) -> bytes:
    return bz2.compress(data, 9)


def xz_bytes(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=6)


def zstd_bytes(data: bytes) -> bytes | None:
    if shutil.which("zstd") is None:
        return None
    return subprocess.run(["zstd", "-19", "-q", "--no-progress", "-c"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def newc_bytes(entries: list[tuple[str, int, bytes]]) -> bytes:
    """cpio "newc" (SVR4, no CRC) by hand: (name, mode, data) in the given
    order, inodes numbered from 1, owner 0/0, mtime EPOCH, then TRAILER!!!."""
    out = bytearray()

    def put(name: str, mode: int, data: bytes, ino: int, nlink: int) -> None:
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, nlink, EPOCH if name != "TRAILER!!!" else 0, len(data), 0, 0, 0, 0, len(nb), 0]
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields) + nb)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for i, (name, mode, data) in enumerate(entries, start=1):
        put(name, mode, data, i, 2 if mode & 0o170000 == 0o040000 else 1)
    put("TRAILER!!!", 0, b"", 0, 1)
    out.extend(b"\0" * (-len(out) % 512))
    return bytes(out)


# ---- a raw zip writer for what zipfile will not write ----------------------

CRC_TABLE = [0] * 256
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    CRC_TABLE[_i] = _c


class ZipCrypto:
    """Traditional PKWARE encryption (APPNOTE 6.1)."""

    def __init__(self, password: bytes):
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for b in password:
            self.update(b)

    def update(self, b: int) -> None:
        self.k0 = CRC_TABLE[(self.k0 ^ b) & 0xFF] ^ (self.k0 >> 8)
        self.k1 = ((self.k1 + (self.k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = CRC_TABLE[(self.k2 ^ (self.k1 >> 24)) & 0xFF] ^ (self.k2 >> 8)

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for p in data:
            t = (self.k2 | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self.update(p)
        return bytes(out)


def aes_ecb(key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(data) + e.finalize()


def aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return e.update(data) + e.finalize()


def winzip_aes(password: bytes, salt: bytes, data: bytes) -> bytes:
    """WinZip AE-2, AES-256: salt, 2-byte verifier, AES-CTR (little-endian
    counter from 1) ciphertext, 10-byte HMAC-SHA1 of the ciphertext."""
    keys = hashlib.pbkdf2_hmac("sha1", password, salt, 1000, 66)
    enc_key, mac_key, verifier = keys[:32], keys[32:64], keys[64:]
    blocks = (len(data) + 15) // 16
    stream = aes_ecb(enc_key, b"".join(i.to_bytes(16, "little") for i in range(1, blocks + 1)))
    cipher = bytes(a ^ b for a, b in zip(data, stream))
    return salt + verifier + cipher + hmac.new(mac_key, cipher, hashlib.sha1).digest()[:10]


@dataclass
class RawEntry:
    name: bytes
    data: bytes
    method: int = 8              # 0 stored, 8 deflate
    encryption: str | None = None  # None, "zipcrypto", "aes"
    mode: int = 0o100644


def raw_zip(entries: list[RawEntry], seed: str) -> tuple[bytes, int, int]:
    """Zip by hand: names stored exactly as given (no normalisation), fixed
    times. Returns (bytes, central directory offset, central directory size)."""
    out, central = bytearray(), bytearray()
    for n, e in enumerate(entries):
        crc = zlib.crc32(e.data)
        if e.method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
            payload = c.compress(e.data) + c.flush()
        else:
            payload = e.data
        flags, method, version, extra = 0, e.method, 20, b""
        if e.encryption == "zipcrypto":
            flags |= 1
            header = det_bytes(f"{seed}:{n}:zipcrypto", 11) + bytes([crc >> 24])
            payload = ZipCrypto(PASSWORD.encode()).encrypt(header + payload)
        elif e.encryption == "aes":
            flags |= 1
            payload = winzip_aes(PASSWORD.encode(), det_bytes(f"{seed}:{n}:salt", 16), payload)
            extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, e.method)
            method, version, crc = 99, 51, 0      # AE-2 stores no CRC
        if e.name.endswith(b"/"):
            version = 20
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, method, DOS_TIME, DOS_DATE,
                           crc, len(payload), len(e.data), len(e.name), len(extra)) + e.name + extra + payload
        attr = (e.mode << 16) | (0x10 if e.name.endswith(b"/") else 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version, flags, method,
                               DOS_TIME, DOS_DATE, crc, len(payload), len(e.data), len(e.name), len(extra), 0,
                               0, 0, attr, offset) + e.name + extra
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    return bytes(out), cd_offset, len(central)


# ---- a raw 7z writer for AES-encrypted archives ----------------------------

def sz_number(n: int) -> bytes:
    """7z's variable-length NUMBER."""
    first, mask = 0, 0x80
    for i in range(8):
        if n < (1 << (7 * (i + 1))):
            first |= n >> (8 * i)
            break
        first |= mask
        mask >>= 1
    else:
        i = 8
    return bytes([first]) + n.to_bytes(8, "little")[:i]


def sz_aes_key(password: str, cycles_power: int = 19) -> bytes:
    """7zAES key: SHA-256 over 2^cycles rounds of (salt="" + UTF-16LE password + round counter)."""
    pw = password.encode("utf-16-le")
    return hashlib.sha256(b"".join(pw + i.to_bytes(8, "little") for i in range(1 << cycles_power))).digest()


def sz_aes_props(iv: bytes) -> bytes:
    """7zAES coder: IV present (16 bytes), no salt, 2^19 rounds."""
    props = bytes([0x40 | 19, 0x0F]) + iv
    return bytes([0x20 | 4]) + bytes.fromhex("06F10701") + sz_number(len(props)) + props


def sz_data_folder(iv: bytes, unpack_size: int, crc: int) -> bytes:
    """UnPackInfo + SubStreamsInfo for the file data, laid out as `7z -m0=Copy
    -psecret` does: coder 0 = 7zAES, coder 1 = Copy, bind pair (Copy's input
    <- AES's output), both unpack sizes, then the file CRC in SubStreamsInfo."""
    coders = sz_number(2) + sz_aes_props(iv) + b"\x01\x00" + sz_number(1) + sz_number(0)
    return (b"\x07" + b"\x0B" + sz_number(1) + b"\x00" + coders
            + b"\x0C" + sz_number(unpack_size) + sz_number(unpack_size) + b"\x00"
            + b"\x08" + b"\x0A\x01" + struct.pack("<I", crc) + b"\x00")


def sz_header_folder(iv: bytes, unpack_size: int, crc: int) -> bytes:
    """UnPackInfo for the encrypted header, as `7z -mhe=on` writes it: one
    folder whose only coder is 7zAES, with the folder CRC."""
    return (b"\x07" + b"\x0B" + sz_number(1) + b"\x00" + sz_number(1) + sz_aes_props(iv)
            + b"\x0C" + sz_number(unpack_size) + b"\x0A\x01" + struct.pack("<I", crc) + b"\x00")


def sz_encrypted(name: str, data: bytes, encrypt_header: bool, seed: str) -> bytes:
    """A one-file 7z archive whose data is AES-256 encrypted, not compressed
    (coders Copy + 7zAES, as `7z a -m0=Copy -psecret`). With encrypt_header, the header is itself
    encrypted and reached through a kEncodedHeader (what `7z -mhe=on` does)."""
    key = sz_aes_key(PASSWORD)

    def enc(plain: bytes, iv: bytes) -> bytes:
        return aes_cbc(key, iv, plain + b"\0" * (-len(plain) % 16))

    iv_data = det_bytes(seed + ":iv-data", 16)
    packed = enc(data, iv_data)
    pack_info = b"\x06" + sz_number(0) + sz_number(1) + b"\x09" + sz_number(len(packed)) + b"\x00"
    names = name.encode("utf-16-le") + b"\0\0"
    attrib = 0x20 | 0x8000 | (0o100644 << 16)
    files = (b"\x05" + sz_number(1)
             + b"\x11" + sz_number(1 + len(names)) + b"\x00" + names
             + b"\x14" + sz_number(2 + 8) + b"\x01\x00" + struct.pack("<Q", FILETIME)
             + b"\x15" + sz_number(2 + 4) + b"\x01\x00" + struct.pack("<I", attrib)
             + b"\x00")
    header = (b"\x01" + b"\x04" + pack_info + sz_data_folder(iv_data, len(data), zlib.crc32(data)) + b"\x00"
              + files + b"\x00")
    body = packed
    if encrypt_header:
        iv_head = det_bytes(seed + ":iv-header", 16)
        packed_header = enc(header, iv_head)
        header = (b"\x17" + b"\x06" + sz_number(len(packed)) + sz_number(1) + b"\x09"
                  + sz_number(len(packed_header)) + b"\x00"
                  + sz_header_folder(iv_head, len(header), zlib.crc32(header)) + b"\x00")
        body = packed + packed_header
    start = struct.pack("<QQI", len(body), len(header), zlib.crc32(header))
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start)) + start + body + header


# ---- external writers --------------------------------------------------------

def staged(members: list[Member]) -> tempfile.TemporaryDirectory:
    """Members written to a temporary tree with fixed modes and times."""
    tmp = tempfile.TemporaryDirectory(prefix="triage-containers-")
    root = Path(tmp.name) / "stage"
    for m in members:
        p = root / m.path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(m.data)
        p.chmod(0o644)
    for p in sorted(root.rglob("*"), reverse=True):
        if p.is_dir():
            p.chmod(0o755)
        os.utime(p, (EPOCH, EPOCH), follow_symlinks=False)
    os.utime(root, (EPOCH, EPOCH))
    return tmp


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def sevenzip_bytes(members: list[Member]) -> bytes:
    """7z (LZMA2, one thread, solid; only modification times stored)."""
    with staged(members) as tmp:
        stage, out = Path(tmp) / "stage", Path(tmp) / "out.7z"
        run(["7z", "a", "-t7z", "-m0=LZMA2", "-mx=9", "-mmt=1", "-ms=on", "-mhc=on", "-mtm=on", "-mtc=off",
             "-mta=off", "-bd", "-bso0", "-bsp0", str(out)] + sorted(m.path for m in members), cwd=stage)
        return out.read_bytes()


def deflate64_zip_bytes(members: list[Member]) -> bytes:
    """A zip whose members use Deflate64 (method 9), which only 7-Zip and PKWARE write."""
    with staged(members) as tmp:
        stage, out = Path(tmp) / "stage", Path(tmp) / "out.zip"
        run(["7z", "a", "-tzip", "-mm=Deflate64", "-mx=9", "-mmt=1", "-mtc=off", "-mcu=on", "-bd", "-bso0", "-bsp0",
             str(out)] + sorted(m.path for m in members), cwd=stage)
        return out.read_bytes()


def zip64_bytes(members: list[Member]) -> bytes:
    """A zip whose entries carry zip64 extra fields (sizes and offsets in 64 bits), as
    writers do for members over 4 GiB, forced here on small ones."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for m in sorted(members, key=lambda m: m.path):
            with zf.open(zip_info(m.path, zipfile.ZIP_DEFLATED), "w", force_zip64=True) as entry:
                entry.write(m.data)
    return buf.getvalue()


def iso_bytes(members: list[Member], volid: str) -> bytes:
    """ISO 9660 + Rock Ridge by xorriso; SOURCE_DATE_EPOCH pins the volume
    dates and the volume UUID, -padding 0 drops the default 300 KiB tail."""
    with staged(members) as tmp:
        stage, out = Path(tmp) / "stage", Path(tmp) / "out.iso"
        run(["xorriso", "-no_rc", "-report_about", "SORRY", "-outdev", str(out), "-volid", volid,
             "-joliet", "off", "-padding", "0", "-map", str(stage), "/", "-chown_r", "0", "/", "--",
             "-chgrp_r", "0", "/", "--", "-alter_date_r", "b", f"={EPOCH}", "/", "--", "-commit"])
        return out.read_bytes()


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx(image: bytes) -> tuple[bytes, list[Member]]:
    members = [
        text("[Content_Types].xml", XML +
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Default Extension="png" ContentType="image/png"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.document.main+xml"/></Types>'),
        text("_rels/.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="word/document.xml"/>'
             '</Relationships>'),
        text("word/document.xml", XML +
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
             f'xmlns:r="{OFFICE_REL}" '
             'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>'
             '<w:p><w:r><w:t>Quarterly report (synthetic fixture).</w:t></w:r></w:p>'
             '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="1066800" cy="1066800"/>'
             '<wp:docPr id="1" name="Picture 1"/><a:graphic>'
             '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
             '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr>'
             '<pic:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
             '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1066800" cy="1066800"/></a:xfrm>'
             '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
             '</w:drawing></w:r></w:p><w:sectPr/></w:body></w:document>'),
        text("word/_rels/document.xml.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/image" Target="media/image1.png"/></Relationships>'),
        Member("word/media/image1.png", image),
    ]
    # [Content_Types].xml and _rels/.rels first, then word/: libmagic looks there.
    return zip_bytes(members, keep_order=True), members


def xlsx(image: bytes) -> tuple[bytes, list[Member]]:
    members = [
        text("[Content_Types].xml", XML +
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Default Extension="jpeg" ContentType="image/jpeg"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.worksheet+xml"/>'
             '<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.drawing+xml"/></Types>'),
        text("_rels/.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>'),
        text("xl/workbook.xml", XML +
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             f'xmlns:r="{OFFICE_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        text("xl/_rels/workbook.xml.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
             '</Relationships>'),
        text("xl/worksheets/sheet1.xml", XML +
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             f'xmlns:r="{OFFICE_REL}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>item</t></is></c>'
             '<c r="B1"><v>42</v></c></row></sheetData><drawing r:id="rId1"/></worksheet>'),
        text("xl/worksheets/_rels/sheet1.xml.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/drawing" Target="../drawings/drawing1.xml"/>'
             '</Relationships>'),
        text("xl/drawings/drawing1.xml", XML +
             '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
             f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{OFFICE_REL}">'
             '<xdr:oneCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
             '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="2743200" cy="2057400"/><xdr:pic>'
             '<xdr:nvPicPr><xdr:cNvPr id="2" name="Picture 1"/><xdr:cNvPicPr/></xdr:nvPicPr>'
             '<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
             '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
             '<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>'),
        text("xl/drawings/_rels/drawing1.xml.rels", XML + f'<Relationships xmlns="{RELS_NS}">'
             f'<Relationship Id="rId1" Type="{OFFICE_REL}/image" Target="../media/image1.jpeg"/>'
             '</Relationships>'),
        Member("xl/media/image1.jpeg", image),
    ]
    return zip_bytes(members, keep_order=True), members


ODT_PICTURE = "Pictures/10000000000002000000018044C1E0B5.jpg"


def odt(image: bytes) -> tuple[bytes, list[Member]]:
    mimetype = b"application/vnd.oasis.opendocument.text"
    members = [
        text("META-INF/manifest.xml", XML.replace(' standalone="yes"', "") +
             '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
             'manifest:version="1.2">'
             '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
             'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             f'<manifest:file-entry manifest:full-path="{ODT_PICTURE}" manifest:media-type="image/jpeg"/>'
             '</manifest:manifest>'),
        text("content.xml", XML.replace(' standalone="yes"', "") +
             '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
             'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
             'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
             'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2"><office:body><office:text>'
             '<text:p>Meeting notes (synthetic fixture).</text:p><text:p>'
             '<draw:frame draw:name="Image1" text:anchor-type="paragraph" svg:width="8cm" svg:height="6cm">'
             f'<draw:image xlink:href="{ODT_PICTURE}" xlink:type="simple" xlink:show="embed" '
             'xlink:actuate="onLoad"/></draw:frame></text:p></office:text></office:body>'
             '</office:document-content>'),
        Member(ODT_PICTURE, image),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # ODF: "mimetype" first, stored, no extra field.
        zf.writestr(zip_info("mimetype", zipfile.ZIP_STORED), mimetype)
        for m in members:
            method = zipfile.ZIP_STORED if m.path.endswith(".jpg") else zipfile.ZIP_DEFLATED
            zf.writestr(zip_info(m.path, method), m.data, compresslevel=9)
    return buf.getvalue(), [Member("mimetype", mimetype)] + members


def pdf(pages: list[bytes]) -> tuple[bytes, list[dict]]:
    """A PDF by hand: one page per JPEG (or JPEG 2000), each drawn full-page from
    an image XObject whose stream is exactly the file's bytes (/DCTDecode, /JPXDecode)."""
    objs: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids, images = [], []
    n = 3
    for i, jpeg in enumerate(pages, start=1):
        with Image.open(io.BytesIO(jpeg)) as im:
            w, h = im.size
            cs = {"RGB": "/DeviceRGB", "L": "/DeviceGray", "CMYK": "/DeviceCMYK"}[im.mode]
        jpx = jpeg.startswith(b"\x00\x00\x00\x0cjP  ")
        page, content, image = n, n + 1, n + 2
        n += 3
        name = f"Im{i}"
        kids.append(f"{page} 0 R")
        objs[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /XObject << "
                      f"/{name} {image} 0 R >> >> /Contents {content} 0 R >>").encode()
        draw = f"q {w} 0 0 {h} 0 0 cm /{name} Do Q\n".encode()
        objs[content] = b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"endstream"
        # A JPX stream carries its own colour space (PDF 32000 8.9.5 allows leaving it out).
        colour = "" if jpx else f"/ColorSpace {cs} /BitsPerComponent 8 "
        objs[image] = (f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} {colour}"
                       f"/Filter /{'JPXDecode' if jpx else 'DCTDecode'} /Length {len(jpeg)} >>\nstream\n").encode() \
            + jpeg + b"\nendstream"
        images.append({"page": i, "name": name, "object": image, "width": w, "height": h,
                       "filter": "JPXDecode" if jpx else "DCTDecode"})
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    info = n
    objs[info] = b"<< /Producer (triage make-containers.py) /CreationDate (D:20200101000000Z) >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += b"%d 0 obj\n" % k + objs[k] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (info + 1)
    for k in range(1, info + 1):
        out += b"%010d 00000 n \n" % offsets[k]
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (info + 1, info, xref))
    return bytes(out), images


# --------------------------------------------------------------------------
# EXIF thumbnails
# --------------------------------------------------------------------------

def exif_app1(thumbnail: bytes) -> bytes:
    """APP1 "Exif": little-endian TIFF, IFD0 (Make, Model, Orientation=1,
    DateTime) -> IFD1 (Compression=6, resolution, JPEGInterchangeFormat and
    JPEGInterchangeFormatLength) -> the thumbnail JPEG."""
    make, model, when = b"Triage\0", b"Fixture Camera\0", b"2020:01:01 00:00:00\0"
    ifd0_at = 8
    ifd0_n, ifd1_n = 4, 6
    ifd0_size = 2 + 12 * ifd0_n + 4
    ifd1_at = ifd0_at + ifd0_size
    ifd1_size = 2 + 12 * ifd1_n + 4
    data_at = ifd1_at + ifd1_size
    blob = bytearray()

    def put(value: bytes) -> int:
        at = data_at + len(blob)
        blob.extend(value + b"\0" * (len(value) % 2))
        return at

    def entry(tag: int, typ: int, count: int, value: int | None = None, offset: int | None = None) -> bytes:
        if offset is not None:
            return struct.pack("<HHII", tag, typ, count, offset)
        if typ == 3:
            return struct.pack("<HHIHH", tag, typ, count, value, 0)
        return struct.pack("<HHII", tag, typ, count, value)

    e0 = [entry(0x010F, 2, len(make), offset=put(make)),
          entry(0x0110, 2, len(model), offset=put(model)),
          entry(0x0112, 3, 1, 1),
          entry(0x0132, 2, len(when), offset=put(when))]
    rational = struct.pack("<II", 72, 1)
    x_res, y_res = put(rational), put(rational)
    thumb_at = data_at + len(blob)
    e1 = [entry(0x0103, 3, 1, 6),
          entry(0x011A, 5, 1, offset=x_res),
          entry(0x011B, 5, 1, offset=y_res),
          entry(0x0128, 3, 1, 2),
          entry(0x0201, 4, 1, thumb_at),
          entry(0x0202, 4, 1, len(thumbnail))]
    tiff = (b"II*\x00" + struct.pack("<I", ifd0_at)
            + struct.pack("<H", ifd0_n) + b"".join(e0) + struct.pack("<I", ifd1_at)
            + struct.pack("<H", ifd1_n) + b"".join(e1) + struct.pack("<I", 0)
            + bytes(blob) + thumbnail)
    payload = b"Exif\x00\x00" + tiff
    assert len(payload) + 2 <= 0xFFFF
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def with_exif(main_jpeg: bytes, thumbnail: bytes) -> bytes:
    """SOI, the Exif APP1, then the main JPEG without Pillow's JFIF APP0 (a
    camera file has APP1 first)."""
    assert main_jpeg[:2] == b"\xff\xd8"
    rest = main_jpeg[2:]
    if rest[:2] == b"\xff\xe0":
        rest = rest[2 + struct.unpack(">H", rest[2:4])[0]:]
    return b"\xff\xd8" + exif_app1(thumbnail) + rest


THUMB_SIZE = (160, 120)
# New photo-like scenes for the two EXIF JPEGs (layout seeded by the name, as in make-fixtures.py).
NEW_SCENES = {
    "estuary": (480, 360, ((110, 150, 210), (235, 225, 205)), ((90, 110, 70), (50, 60, 45))),
    "glacier": (480, 360, ((170, 200, 235), (240, 245, 250)), ((200, 215, 230), (120, 140, 170))),
}


def new_scene(name: str) -> Image.Image:
    w, h, sky, ground = NEW_SCENES[name]
    return MF.photo_scene(name, w, h, sky, ground)


def thumbnail_of(img: Image.Image) -> bytes:
    return MF.encode(img.convert("RGB").resize(THUMB_SIZE, Image.Resampling.LANCZOS), "jpeg", 85)


# --------------------------------------------------------------------------
# PDQ checks for the new pictures
# --------------------------------------------------------------------------

def pdq_report(data: bytes) -> dict:
    p = MF.pdq_of(data)
    known = [k for k in MF.known_pdqs() if k.hashset in MF.MAIN_PDQ_HASHSETS]
    nearest = min(known, key=lambda k: MF.hamming(p.hash, k.pdq.hash))
    nearest_dihedral = min(MF.dihedral_distance(p, k.pdq) for k in known)
    match = MF.perceptual_match(p, MF.MAIN_PDQ_HASHSETS)
    return {"pdq": p.hash, "pdq_quality": p.quality,
            "nearest_known": {"picture": nearest.picture, "distance": MF.hamming(p.hash, nearest.pdq.hash),
                              "dihedral_distance": nearest_dihedral},
            "match": (None if match is None else
                      {"picture": match.picture, "category": match.category, "hashset": match.hashset})}


# --------------------------------------------------------------------------
# The exhibit
# --------------------------------------------------------------------------

@dataclass
class Output:
    path: str                   # relative to Fixtures/
    data: bytes
    made: str                   # how made (README)
    tests: str                  # what it tests (README)
    format: str | None = None   # container format, None for a plain file
    members: list[Member] = field(default_factory=list)
    expect: str | None = None   # bad containers: what should happen
    extra: dict = field(default_factory=dict)


def build_exhibit() -> list[Output]:
    x = "evidence/exhibit-3/"
    out: list[Output] = []

    old_members = [pic("x/IMG_0003.jpg", IMG_0003), pic("x/IMG_2001.jpg", IMG_2001)]
    old = Member("2019/old.tar.gz", gzip_bytes(tar_bytes(old_members, dirs=("x",))), container="tar.gz",
                 children=old_members)
    photos = [pic("2019/IMG_0001.jpg", IMG_0001), pic("2019/beach.png", BEACH), old,
              text("notes/readme.txt", "Photos backed up from the old laptop, January 2020.\n")]
    out.append(Output(x + "Backups/photos.zip", zip_bytes(photos, dirs=("2019/", "notes/")),
                      "Python zipfile: directory entries `2019/`, `notes/`; PNG and text deflated, JPEG and "
                      "`.tar.gz` stored; `2019/old.tar.gz` is a gzip (no FNAME, MTIME 0) of a ustar tar "
                      "holding `x/IMG_0003.jpg` (exhibit-1 IMG_0003.jpg) and `x/IMG_2001.jpg` (exhibit-2 IMG_2001.jpg)",
                      "zip with mixed methods; a tar.gz nested inside a zip (two levels)", "zip", photos))

    camera = [pic("DCIM/IMG_0101.jpg", IMG_0101), pic("DCIM/IMG_0150.jpg", IMG_0150)]
    out.append(Output(x + "Backups/camera.7z", sevenzip_bytes(camera),
                      "`7z a -t7z -m0=LZMA2 -mx=9 -mmt=1 -ms=on -mhc=on -mtc=off -mta=off` (solid, compressed "
                      "header, mtimes only)", "7z (LZMA2, solid)", "7z", camera))

    zip64 = [pic("old/IMG_0002.jpg", IMG_0002)]
    out.append(Output(x + "Backups/zip64.zip", zip64_bytes(zip64),
                      "Python zipfile with `force_zip64=True` (zip64 extra fields on a small member)",
                      "zip64 extensions", "zip", zip64))

    # A log that makes Deflate64 use what deflate lacks: matches 40,000 bytes back (distance codes
    # 30/31) and runs longer than 258 bytes (length code 285 with 16 extra bits).
    stream = b"".join(hashlib.sha256(b"deflate64-%d" % i).hexdigest().encode() for i in range(625))
    log = Member("old/log.txt", stream * 5 + b"a" * 100_000 + stream[:1000])
    deflate64 = [pic("old/diagram.png", DIAGRAM), pic("old/IMG_2001.jpg", IMG_2001), log]
    out.append(Output(x + "Backups/deflate64.zip", deflate64_zip_bytes(deflate64),
                      "`7z a -tzip -mm=Deflate64 -mx=9 -mmt=1 -mtc=off -mcu=on`", "Deflate64 (zip method 9)", "zip",
                      deflate64))

    site_bz2 = [pic("site/img/header.jpg", IMG_0102),
                text("site/index.html", "<!doctype html>\n<title>Site</title>\n<img src=\"img/header.jpg\">\n")]
    out.append(Output(x + "Backups/site.tar.bz2", bzip2_bytes(tar_bytes(site_bz2, dirs=("site", "site/img"))),
                      "ustar tar (Python tarfile) compressed with Python bz2 (level 9)", "tar.bz2", "tar.bz2",
                      site_bz2))
    site_xz = [pic("site/img/logo.gif", PATTERN), pic("site/img/tile.webp", TILE)]
    out.append(Output(x + "Backups/site.tar.xz", xz_bytes(tar_bytes(site_xz, dirs=("site", "site/img"))),
                      "ustar tar compressed with Python lzma (xz, preset 6, CRC64)", "tar.xz", "tar.xz", site_xz))
    site_zst = [pic("site/img/dial.jpg", SYSTEM32), pic("site/img/sunset.png", SUNSET)]
    zst = zstd_bytes(tar_bytes(site_zst, dirs=("site", "site/img")))
    if zst is not None:
        out.append(Output(x + "Backups/site.tar.zst", zst,
                          "ustar tar compressed with `zstd -19` (no timestamps in the frame)", "tar.zst", "tar.zst",
                          site_zst))
    plain = [pic("scans/plate.tiff", PLATE), pic("scans/scan.bmp", SCAN_BMP)]
    out.append(Output(x + "Backups/plain.tar", tar_bytes(plain, dirs=("scans",)),
                      "ustar tar (Python tarfile), uncompressed, padded to 10240 bytes", "plain tar; BMP and TIFF "
                      "members", "tar", plain))

    diagram = pic("diagram.png", DIAGRAM)
    out.append(Output(x + "Downloads/diagram.png.gz", gzip_bytes(diagram.data, fname="diagram.png", mtime=EPOCH),
                      "gzip by hand with FNAME `diagram.png` and MTIME 2020-01-01 (what `gzip diagram.png` writes)",
                      "single-file gzip; member named by FNAME = file name without `.gz`", "gzip", [diagram]))
    pattern = pic("pattern.gif", PATTERN)
    out.append(Output(x + "Downloads/pattern.gif.bz2", bzip2_bytes(pattern.data), "Python bz2, level 9",
                      "single-file bzip2 (no name inside; member named by dropping `.bz2`)", "bzip2", [pattern]))
    out.append(Output(x + "Downloads/pattern.gif.xz", xz_bytes(pattern.data), "Python lzma, xz preset 6",
                      "single-file xz (no name inside; member named by dropping `.xz`)", "xz", [pattern]))

    cd = [pic("PHOTOS/IMG_0002.jpg", IMG_0002)]
    out.append(Output(x + "Disk/cd.iso", iso_bytes(cd, "PHOTOS_2019"),
                      "xorriso (ISO 9660 + Rock Ridge, no Joliet, `-padding 0`, SOURCE_DATE_EPOCH, owner 0/0)",
                      "ISO 9660 image", "iso9660", cd))
    initrd = [text("init", "#!/bin/sh\necho 'synthetic initrd'\n"), pic("usr/share/splash.png", OVERLAY)]
    out.append(Output(x + "Disk/initrd.cpio",
                      newc_bytes([("init", 0o100755, initrd[0].data), ("usr", 0o040755, b""),
                                  ("usr/share", 0o040755, b""), ("usr/share/splash.png", 0o100644, initrd[1].data)]),
                      "cpio newc by hand (inodes 1..4, owner 0/0, padded to 512)", "cpio (newc); RGBA PNG member",
                      "cpio", initrd))

    data, members = docx(src(DIAGRAM))
    out.append(Output(x + "Documents/report.docx", data,
                      "Python zipfile: `[Content_Types].xml`, `_rels/.rels`, `word/document.xml`, "
                      "`word/_rels/document.xml.rels`, `word/media/image1.png` (exhibit-2 diagram.png)",
                      "OOXML Word document; picture in word/media", "docx",
                      [Member(m.path, m.data, DIAGRAM if m.path.endswith(".png") else None) for m in members]))
    data, members = xlsx(src(IMG_0101_SMALL))
    out.append(Output(x + "Documents/sheet.xlsx", data,
                      "Python zipfile: workbook, one sheet with a drawing anchoring `xl/media/image1.jpeg` "
                      "(exhibit-1 Pictures/edited/IMG_0101-small.jpg)",
                      "OOXML spreadsheet; JPEG in xl/media that matches only by PDQ", "xlsx",
                      [Member(m.path, m.data, IMG_0101_SMALL if m.path.endswith(".jpeg") else None) for m in members]))
    data, members = odt(src(HARBOUR_JPG))
    out.append(Output(x + "Documents/notes.odt", data,
                      f"Python zipfile: `mimetype` first and stored, `META-INF/manifest.xml`, `content.xml`, "
                      f"`{ODT_PICTURE}` (exhibit-2 Downloads/resaved/harbour.jpg)",
                      "ODF text document; JPEG in Pictures/ that matches only by PDQ", "odt",
                      [Member(m.path, m.data, HARBOUR_JPG if m.path.endswith(".jpg") else None) for m in members]))

    # Page 3: the `checker` picture (IMG_0002) as JPEG 2000, lossless, by Pillow's OpenJPEG.
    jp2 = io.BytesIO()
    with Image.open(io.BytesIO(src(IMG_0002))) as im:
        im.convert("RGB").save(jp2, "JPEG2000", irreversible=False)
    pages = [src(IMG_0102), src(IMG_2001), jp2.getvalue()]
    data, images = pdf(pages)
    pdf_members = [Member(f"object-{im['object']}.{'jp2' if im['filter'] == 'JPXDecode' else 'jpg'}", page, source)
                   for im, page, source in zip(images, pages, (IMG_0102, IMG_2001, None))]
    pdf_members[2].category = "pending"
    pdf_members[2].note = "JPEG 2000 re-encoding of IMG_0002 (no JPEG 2000 decoder: exact digests only)"
    out.append(Output(x + "Documents/scan.pdf", data,
                      "PDF 1.4 by hand: page 1 draws exhibit-1 IMG_0102.jpg, page 2 exhibit-2 IMG_2001.jpg, each "
                      "an image XObject whose /DCTDecode stream is the JPEG's exact bytes; page 3 a lossless JPEG 2000 "
                      "of IMG_0002 as /JPXDecode; xref offsets computed",
                      "JPEG and JPEG 2000 streams embedded in a PDF (extracted stream = original file)", "pdf",
                      pdf_members, extra={"pdf_images": images}))

    # EXIF thumbnails.
    estuary = new_scene("estuary")
    main = MF.encode(estuary, "jpeg", 90)
    thumb = thumbnail_of(estuary)
    out.append(Output(x + "Pictures/with-thumb.jpg", with_exif(main, thumb),
                      "`estuary`: photo-like abstract scene 480x360 JPEG q90 (Pillow, JFIF APP0 removed) with an "
                      "Exif APP1 after SOI: IFD0 Make/Model/Orientation=1/DateTime, IFD1 Compression=6 + "
                      "JPEGInterchangeFormat(Length) -> a 160x120 q85 downscale (Lanczos) of the same scene",
                      "EXIF thumbnail that agrees with its picture (PDQ near)", "exif-thumbnail",
                      [Member("exif-thumbnail", thumb, None, "160x120 downscale of the same scene")]))
    meadow = Image.open(io.BytesIO(src(IMG_0101)))
    meadow.load()
    edited_thumb = thumbnail_of(meadow)
    edited_main = MF.encode(new_scene("glacier"), "jpeg", 90)
    out.append(Output(x + "Pictures/edited-with-thumb.jpg", with_exif(edited_main, edited_thumb),
                      "`glacier`: photo-like abstract scene 480x360 JPEG q90 with the same Exif layout, but the "
                      "thumbnail is a 160x120 q85 downscale of exhibit-1 IMG_0101.jpg (`meadow`)",
                      "edited photo whose EXIF thumbnail still shows the original (thumbnail far from its picture, "
                      "near a known PDQ)", "exif-thumbnail",
                      [Member("exif-thumbnail", edited_thumb, None, "160x120 downscale of exhibit-1 IMG_0101.jpg")]))
    return out


# --------------------------------------------------------------------------
# Hostile and damaged containers
# --------------------------------------------------------------------------

BOMB_LEVELS = 6
BOMB_FANOUT = 16
BOMB_LEAF = 16 * 1024 * 1024


def bomb() -> tuple[bytes, dict]:
    """Nested zip bomb. Level 0 holds `zeros.bin` (16 MiB of zeros, deflated);
    level k holds 16 deflated copies of level k-1 named 0.zip..f.zip.
    Deflating a zip of deflated zeros again is very effective, so each level
    adds only a few KiB on disk."""
    level = zip_bytes([Member("zeros.bin", bytes(BOMB_LEAF))])
    sizes = [len(level)]
    for _ in range(BOMB_LEVELS):
        level = zip_bytes([Member(f"{i:x}.zip", level) for i in range(BOMB_FANOUT)], stored=())
        sizes.append(len(level))
    total = BOMB_FANOUT ** BOMB_LEVELS * BOMB_LEAF
    zips = sum(BOMB_FANOUT ** k for k in range(1, BOMB_LEVELS + 1))
    return level, {"levels": BOMB_LEVELS, "fanout": BOMB_FANOUT, "leaf": "zeros.bin", "leaf_size": BOMB_LEAF,
                   "leaf_count": BOMB_FANOUT ** BOMB_LEVELS, "nested_zip_count": zips,
                   "fully_expanded_leaf_bytes": total, "level_sizes_on_disk": sizes}


DEEP_LEVELS = 20


def deep() -> tuple[bytes, list[Member]]:
    """Level 20 (innermost) holds level20.jpg = exhibit-1 IMG_0001.jpg; every
    level N < 20 holds levelNN.png = exhibit-2 Documents/notes.txt (a PNG)
    and next.zip = level N+1."""
    level = zip_bytes([pic(f"level{DEEP_LEVELS:02d}.jpg", IMG_0001)])
    chain: list[Member] = [pic(f"level{DEEP_LEVELS:02d}.jpg", IMG_0001)]
    for n in range(DEEP_LEVELS - 1, 0, -1):
        inner = Member("next.zip", level, container="zip", children=chain)
        chain = [pic(f"level{n:02d}.png", TRIANGLES), inner]
        level = zip_bytes(chain)
    return level, chain


def special_tar() -> bytes:
    real = src(IMG_0003)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        tf.addfile(tar_info("dev", tarfile.DIRTYPE, 0o755))
        for name, type_, major, minor in (("dev/null0", tarfile.CHRTYPE, 1, 3), ("dev/sda9", tarfile.BLKTYPE, 8, 9)):
            ti = tar_info(name, type_, 0o660)
            ti.devmajor, ti.devminor = major, minor
            tf.addfile(ti)
        ti = tar_info("real.jpg", tarfile.REGTYPE, 0o644)
        ti.size = len(real)
        tf.addfile(ti, io.BytesIO(real))
        ti = tar_info("hard.jpg", tarfile.LNKTYPE, 0o644)
        ti.linkname = "real.jpg"
        tf.addfile(ti)
        ti = tar_info("link.jpg", tarfile.SYMTYPE, 0o777)
        ti.linkname = "/etc/passwd"
        tf.addfile(ti)
        tf.addfile(tar_info("pipe.jpg", tarfile.FIFOTYPE, 0o644))
    return buf.getvalue()


def truncated_members() -> list:
    return [pic("a/IMG_0101.jpg", IMG_0101), pic("a/IMG_0102.jpg", IMG_0102), pic("a/IMG_0150.jpg", IMG_0150),
            pic("a/IMG_0003.jpg", IMG_0003), pic("a/IMG_0001.jpg", IMG_0001), pic("a/IMG_0002.jpg", IMG_0002),
            pic("a/beach.png", BEACH), pic("a/IMG_0101-small.jpg", IMG_0101_SMALL), pic("a/harbour.png", HARBOUR_PNG)]


def truncated_tar_gz() -> tuple[bytes, list[str], list[str]]:
    members = truncated_members()
    whole = gzip_bytes(tar_bytes(members))
    # libarchive's gzip reader inflates 64 KiB blocks and fails at the first block that reaches
    # the cut: the tar must be long enough for whole blocks to come before it.
    cut = whole[:len(whole) * 6 // 10]
    # Which members survive: inflate what is there and walk the tar headers.
    d = zlib.decompressobj(31)
    tar = d.decompress(cut)
    complete, partial, pos = [], [], 0
    while pos + 512 <= len(tar) and tar[pos:pos + 512] != bytes(512):
        name = tar[pos:pos + 100].rstrip(b"\0").decode()
        size = int(tar[pos + 124:pos + 136].rstrip(b"\0 ") or b"0", 8)
        (complete if pos + 512 + size <= len(tar) else partial).append(name)
        pos += 512 + size + (-size % 512)
    return cut, complete, partial


def build_bad() -> list[Output]:
    b = "containers/bad/"
    out: list[Output] = []
    data, info = bomb()
    out.append(Output(b + "bomb.zip", data,
                      f"Python zipfile: level 0 = `zeros.bin` (16 MiB of zeros, deflated); each of {BOMB_LEVELS} "
                      f"levels above holds {BOMB_FANOUT} deflated copies of the level below (`0.zip`..`f.zip`)",
                      f"nested zip bomb: {len(data):,} bytes on disk, {info['fully_expanded_leaf_bytes']:,} bytes "
                      f"(256 TiB) of zeros in {info['leaf_count']:,} leaves if fully expanded",
                      "zip", expect="stop at the expansion limits (total bytes, ratio, depth or member count); "
                      "report the container as not fully extracted; never write more than the limit; "
                      "no image members", extra={"bomb": info}))
    img1, beach = src(IMG_0001), src(BEACH)
    data, _, _ = raw_zip([RawEntry(b"../../escaped.jpg", img1, 0), RawEntry(b"/tmp/abs.jpg", img1, 0),
                          RawEntry(b"ok/fine.png", beach)], "traversal")
    out.append(Output(b + "traversal.zip", data,
                      "raw zip written by the script: names stored literally (`../../escaped.jpg`, `/tmp/abs.jpg`: "
                      "exhibit-1 IMG_0001.jpg, stored; `ok/fine.png`: beach.png, deflated)",
                      "path traversal and absolute member names", "zip",
                      [Member("../../escaped.jpg", img1, IMG_0001), Member("/tmp/abs.jpg", img1, IMG_0001),
                       Member("ok/fine.png", beach, BEACH)],
                      expect="never create a file outside the extraction area; the three members are still "
                      "examined in memory/sandbox (IMG_0001 twice, category A; fine.png B) and reported under "
                      "their literal names, or the two hostile names are reported as refused"))
    img3, diagram = src(IMG_0003), src(DIAGRAM)
    data, cd_offset, cd_size = raw_zip([RawEntry(b"IMG_0003.jpg", img3, 0), RawEntry(b"diagram.png", diagram)], "cd")
    data = data[:cd_offset] + det_bytes("broken-cd", cd_size) + data[cd_offset + cd_size:]
    out.append(Output(b + "broken-cd.zip", data,
                      f"raw zip of exhibit-1 IMG_0003.jpg (stored) and exhibit-2 diagram.png (deflated); the "
                      f"{cd_size}-byte central directory at offset {cd_offset} overwritten with SHA-256 stream "
                      f"bytes; local headers and the end-of-central-directory record intact",
                      "damaged central directory", "zip",
                      [Member("IMG_0003.jpg", img3, IMG_0003), Member("diagram.png", diagram, DIAGRAM)],
                      expect="never reported as a clean, empty archive: a central-directory reader must record an "
                      "error (libarchive 3.6.2's seekable zip reader lists 0 entries with exit 0 and no error!); a "
                      "streaming reader that walks local headers (`cat broken-cd.zip | bsdtar -tf -`) recovers both "
                      "members (IMG_0003.jpg C, diagram.png C); no crash",
                      extra={"central_directory_offset": cd_offset, "central_directory_size": cd_size}))
    data, _, _ = raw_zip([RawEntry(b"IMG_0001.jpg", img1, 8, "zipcrypto")], "password")
    out.append(Output(b + "password.zip", data,
                      "raw zip, traditional PKWARE (ZipCrypto) encryption by the script, password `secret`, "
                      "deflated; the 11 random header bytes come from the SHA-256 stream",
                      "encrypted zip member (ZipCrypto)", "zip", [Member("IMG_0001.jpg", img1, IMG_0001)],
                      expect="member reported as encrypted and not examined (no password prompt, no crash); "
                      "with password `secret` it is exhibit-1 IMG_0001.jpg (A)"))
    data, _, _ = raw_zip([RawEntry(b"IMG_0001.jpg", img1, 8, "aes")], "password-aes")
    out.append(Output(b + "password-aes.zip", data,
                      "raw zip, WinZip AE-2 AES-256 (method 99, extra 0x9901, PBKDF2-HMAC-SHA1 x1000, AES-CTR, "
                      "HMAC-SHA1/80) by the script, password `secret`, deflated; salt from the SHA-256 stream",
                      "encrypted zip member (WinZip AES-256)", "zip", [Member("IMG_0001.jpg", img1, IMG_0001)],
                      expect="member reported as encrypted and not examined; with password `secret` it is "
                      "exhibit-1 IMG_0001.jpg (A)"))
    data = sz_encrypted("IMG_0001.jpg", img1, False, "password-7z")
    out.append(Output(b + "password.7z", data,
                      "7z by the script, laid out as `7z a -m0=Copy -psecret`: coders Copy + 7zAES (AES-256-CBC, key "
                      "= SHA-256 over 2^19 rounds, no salt, IV from the SHA-256 stream), password `secret`; header "
                      "in clear",
                      "7z with encrypted data, names visible", "7z", [Member("IMG_0001.jpg", img1, IMG_0001)],
                      expect="member listed (IMG_0001.jpg, 2094 bytes) but reported as encrypted, not examined"))
    data = sz_encrypted("IMG_0001.jpg", img1, True, "password-headers-7z")
    out.append(Output(b + "password-headers.7z", data,
                      "as password.7z, but the header is AES-encrypted too (a single-7zAES-coder folder) and reached "
                      "through kEncodedHeader, as `7z -mhe=on` lays it out",
                      "7z with encrypted header: not even the names are readable", "7z",
                      [Member("IMG_0001.jpg", img1, IMG_0001)],
                      expect="container reported as encrypted/unreadable as a whole; no members listed; no crash"))
    data, complete, partial = truncated_tar_gz()
    out.append(Output(b + "truncated.tar.gz", data,
                      "ustar tar of " + ", ".join(f"`{m.path}`" for m in truncated_members()) + ", gzip by "
                      "hand, cut to the first 60 % of its bytes",
                      "truncated compressed stream", "tar.gz",
                      [m for m in truncated_members() if m.path in complete],
                      expect=f"members before the cut are recovered ({', '.join(complete)}); "
                      f"{', '.join(partial) or 'nothing'} has its header but only part of its data (report it as "
                      "truncated, or examine the partial bytes as a damaged JPEG); the container is reported as "
                      "truncated; no crash, no hang",
                      extra={"complete_members": complete, "partial_members": partial,
                             "inflated_bytes_available": len(zlib.decompressobj(31).decompress(data))}))
    data, chain = deep()
    out.append(Output(b + "deep-20.zip", data,
                      f"Python zipfile, {DEEP_LEVELS} levels: level N (1 = this file) holds `levelNN.png` "
                      "(exhibit-2 Documents/notes.txt, a PNG) and `next.zip` (level N+1); level 20 holds only "
                      "`level20.jpg` (exhibit-1 IMG_0001.jpg)",
                      "nesting depth limit", "zip", chain,
                      expect="with a depth limit D < 20, levels 1..D are examined and the deeper next.zip is "
                      "reported as not extracted (depth limit); the A picture at level 20 is only reached with "
                      "D >= 20 (depth counted as the number of zips opened)"))
    out.append(Output(b + "special.tar", special_tar(),
                      "Python tarfile (GNU format): directory `dev/`, character device `dev/null0` (1,3), block "
                      "device `dev/sda9` (8,9), `real.jpg` (exhibit-1 IMG_0003.jpg), hard link `hard.jpg` -> "
                      "`real.jpg`, symlink `link.jpg` -> `/etc/passwd`, FIFO `pipe.jpg`",
                      "special tar entries", "tar", [pic("real.jpg", IMG_0003)],
                      expect="only real.jpg is examined (C); devices, FIFO and symlink are recorded or skipped but "
                      "never created, opened or followed; hard.jpg has no data of its own (a tool may report it as "
                      "a second name for real.jpg's bytes, never by reading a file on the host)"))
    out.append(Output(b + "empty.zip", b"", "zero bytes", "zero-byte file with a container extension", None,
                      expect="an empty file, not a container: no error beyond 'empty'"))
    out.append(Output(b + "empty-archive.zip", raw_zip([], "empty")[0],
                      "end-of-central-directory record only (22 bytes)", "valid zip with no entries", "zip",
                      expect="opened successfully, zero members, no error"))
    out.append(Output(b + "not-really.zip", b"This is a plain text file that merely has a .zip name.\n",
                      "one line of ASCII text", "extension mismatch: text named .zip", None,
                      expect="identified by content as text, not opened as a zip (or opened and rejected cleanly)"))
    return out


# --------------------------------------------------------------------------
# RAR (libarchive test files)
# --------------------------------------------------------------------------

RAR_SOURCES = {
    "rar4.rar": "test_read_format_rar_unicode.rar.uu",
    "rar5.rar": "test_read_format_rar5_zip_in_rar.rar.uu",
}


def uudecode(text_: str) -> bytes:
    lines = text_.splitlines()
    assert lines[0].startswith("begin ")
    out = bytearray()
    for line in lines[1:]:
        if line == "end":
            return bytes(out)
        out += binascii.a2b_uu(line)
    raise ValueError("no end line")


# Members as listed by `bsdtar -tvf` / `7z l` and extracted with 7z (sha256 of the extracted bytes).
RAR_MEMBERS = {
    "rar4.rar": [
        ("表だよ/新しいフォルダ/新規テキスト ドキュメント.txt", 0,
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("表だよ/漢字長いファイル名long-filename-in-漢字.txt", 5,
         "7faabe854be71defacd1fd3b0403f2c54f446dd60a46db60b7d823cf988a6deb"),
    ],
    "rar5.rar": [
        ("payload/inner.zip", 165, "98bc6fa21849be095380e778f92677d81a04dca604ba38ae1d7393dae0fb8b17"),
        ("payload/inner.zip!/THIS_IS_INSIDE_THE_ZIP.txt", 13,
         "26266747cd7668d5810f420c8b55739d6e52ecaa81dad6f4e314cd1f14df4cd7"),
        ("payload/real_after.txt", 21, "c70b2aeb60e6e3759a38ce3f2c8b2fb36e522d040b94967f4aa51cb5d96327b1"),
    ],
}
RAR_DIRECTORIES = {"rar4.rar": ["表だよ", "表だよ/新しいフォルダ"], "rar5.rar": ["payload"]}


def check_rar(name: str, data: bytes) -> None:
    """Extract with 7z (if present) and compare with RAR_MEMBERS."""
    if shutil.which("7z") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / name
        archive.write_bytes(data)
        run(["7z", "x", "-y", "-bd", "-bso0", "-bsp0", f"-o{tmp}/x", str(archive)])
        for member, size, digest in RAR_MEMBERS[name]:
            if "!/" in member:
                outer, inner = member.split("!/")
                with zipfile.ZipFile(Path(tmp) / "x" / outer) as zf:
                    got = zf.read(inner)
            else:
                got = (Path(tmp) / "x" / member).read_bytes()
            assert len(got) == size and sha256(got) == digest, (name, member)


def build_rar() -> list[Output]:
    out = []
    for name, uu in RAR_SOURCES.items():
        path = RAR / uu
        if not path.exists():
            continue
        data = uudecode(path.read_text())
        check_rar(name, data)
        members = [Member(m, b"", note=f"{size} bytes") for m, size, _ in RAR_MEMBERS[name]]
        out.append(Output(f"containers/rar/{name}", data,
                          f"decoded from `containers/rar/{uu}` (libarchive test suite, BSD-2-Clause; see "
                          "`containers/rar/NOTICE.md`)", "", "rar", members,
                          extra={"directories": RAR_DIRECTORIES[name]}))
    rar4, rar5 = out[0] if out else None, out[1] if len(out) > 1 else None
    if rar4:
        rar4.tests = ("RAR 4 (\"RAR archive data, v2.0\" to libmagic): Japanese (non-ASCII) names, two directories, a "
                      "0-byte and a 5-byte text file; no images")
        rar4.expect = ("RAR v4: list or extract the two text members (no images); or report the format as "
                       "unsupported, cleanly")
    if rar5:
        rar5.tests = ("RAR 5, stored: `payload/inner.zip` (a zip holding `THIS_IS_INSIDE_THE_ZIP.txt`) and "
                      "`payload/real_after.txt`; a reader that sniffs for a zip signature anywhere mistakes it for "
                      "a zip (bsdtar 3.6.2 does)")
        rar5.expect = ("RAR v5: identified as RAR (not zip); members payload/inner.zip (recursing into it finds "
                       "THIS_IS_INSIDE_THE_ZIP.txt) and payload/real_after.txt; no images")
    return out


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------

def libmagic(path: Path) -> tuple[str | None, str | None]:
    if shutil.which("file") is None:
        return None, None
    mime = run(["file", "--mime-type", "-b", str(path)]).stdout.decode().strip()
    desc = run(["file", "-b", str(path)]).stdout.decode().strip()
    return mime, desc


def member_facts(prefix: str, members: list[Member], fmt: str | None) -> list[dict]:
    sep = "!" if fmt == "exif-thumbnail" else "!/"
    rows = []
    for m in members:
        fp = prefix + sep + m.path
        cat, basis = expected(m)
        row = {"forensic_path": fp, "member": m.path, "sha256": sha256(m.data), "size": len(m.data),
               "kind": "still" if is_still(m.data) else "other", "expected_category": cat,
               "expected_basis": basis, "source": m.source}
        if m.note:
            row["note"] = m.note
        if m.container:
            row["container"] = m.container
        rows.append(row)
        if m.children:
            rows.extend(member_facts(fp, m.children, m.container))
    return rows


def bsdtar_observed(path: Path) -> dict | None:
    """What `bsdtar -tf` (this machine's libarchive) makes of a container: exit
    status, entry count, first error line. Information for the Swift side, not
    an expectation."""
    if shutil.which("bsdtar") is None:
        return None
    p = subprocess.run(["bsdtar", "-tf", str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    names = [l for l in p.stdout.decode(errors="replace").splitlines() if l]
    err = [l for l in p.stderr.decode(errors="replace").splitlines() if l]
    return {"exit": p.returncode, "entries": len(names), "first_entries": names[:4], "error": err[0] if err else None}


def tool_versions() -> dict:
    def first_line(cmd: list[str]) -> str | None:
        if shutil.which(cmd[0]) is None:
            return None
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = [l for l in p.stdout.decode(errors="replace").splitlines() if l.strip()]
        return lines[0].strip() if lines else None
    return {"python": sys.version.split()[0], "zlib": zlib.ZLIB_RUNTIME_VERSION,
            "7z": first_line(["7z", "i"]), "xorriso": first_line(["xorriso", "-version"]),
            "zstd": first_line(["zstd", "--version"]), "file": first_line(["file", "--version"]),
            "bsdtar": first_line(["bsdtar", "--version"])}


def summarise(items: list[dict], exact_only: bool) -> dict:
    cats = ("A", "B", "C", "N", "pending")
    summary = {c: {"instances": 0, "unique": 0} for c in cats}
    seen: dict[str, set] = {c: set() for c in cats}
    for it in items:
        cat = it["expected_category"]
        if exact_only and it["expected_basis"] != "exact":
            cat = "pending"
        summary[cat]["instances"] += 1
        seen[cat].add(it["sha256"])
    for c in cats:
        summary[c]["unique"] = len(seen[c])
    return summary


def build_facts(exhibit: list[Output], bad: list[Output], rar: list[Output], thumbs: dict) -> dict:
    def record(o: Output, strip: str) -> dict:
        mime, desc = libmagic(ROOT / o.path)
        rel = o.path[len(strip):] if o.path.startswith(strip) else o.path
        if o.format == "rar":
            members = [{"forensic_path": f"{rel}!/{m}", "member": m.split("!/")[-1], "sha256": digest,
                        "size": size, "kind": "other", "expected_category": None, "expected_basis": None,
                        "source": None} for m, size, digest in RAR_MEMBERS[rel]]
        else:
            members = member_facts(rel, o.members, o.format)
        r = {"path": rel, "fixtures_path": o.path, "size": len(o.data), "sha256": sha256(o.data),
             "mime": mime, "libmagic": desc, "format": o.format, "members": members}
        r["kind"] = "still" if is_still(o.data) else "other"
        if is_still(o.data):
            r["expected_category"] = "pending"
        if o.expect:
            r["expect"] = o.expect
        r.update(o.extra)
        if o.format not in (None, "exif-thumbnail", "pdf", "gzip", "bzip2", "xz"):
            r["observed_bsdtar"] = bsdtar_observed(ROOT / o.path)
        return r

    ex = [record(o, "evidence/exhibit-3/") for o in exhibit]
    for r in ex:
        if r["path"] in thumbs:
            r["pdq"] = thumbs[r["path"]]
    items = []
    for r in ex:
        if r.get("kind") == "still":
            items.append({"forensic_path": r["path"], "sha256": r["sha256"], "expected_category": "pending",
                          "expected_basis": None})
        items += [{k: m[k] for k in ("forensic_path", "sha256", "expected_category", "expected_basis")}
                  for m in r["members"] if m["kind"] == "still"]
    non_images = sum(1 for r in ex if r.get("kind") != "still") + sum(
        1 for r in ex for m in r["members"] if m["kind"] != "still")
    return {
        "generated_by": "Fixtures/make-containers.py",
        "scenario": FIXTURE_FACTS["scenario"],
        "forensic_path_syntax": ("container path, then `!/`, then the member path inside it, repeated for nested "
                                 "containers (`Backups/photos.zip!/2019/old.tar.gz!/x/IMG_0003.jpg`); single-file "
                                 "compressors (gzip/bzip2/xz) name their member after the gzip FNAME or the file "
                                 "name without the compression suffix; EXIF thumbnails are `<jpeg>!exif-thumbnail`; "
                                 "PDF images are `<pdf>!/object-N.jpg` (N the PDF object number; `.jp2` for JPEG 2000; "
                                 "pdf_images gives each one's page and XObject name)"),
        "tools": tool_versions(),
        "exhibit-3": {
            "root": "evidence/exhibit-3",
            "files": ex,
            "still_items": sorted(items, key=lambda i: i["forensic_path"]),
            "summary": summarise(items, False),
            "summary_exact_only": summarise(items, True),
            "non_image_items": non_images,
            "note": ("summary counts every still image triage should examine with full recursion: top-level "
                     "JPEGs, every still member at any depth, and the two EXIF thumbnails; `unique` is by sha256 "
                     "within the category. non_image_items counts top-level non-image files (the containers) "
                     "plus non-image members (text, XML, nested containers, mimetype)."),
        },
        "bad": [record(o, "containers/bad/") for o in bad],
        "rar": [record(o, "containers/rar/") for o in rar],
    }


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------

def build_readme_section(exhibit: list[Output], bad: list[Output], rar: list[Output], facts: dict) -> str:
    mimes = {}
    for group in ("bad", "rar"):
        for r in facts[group]:
            mimes[r["fixtures_path"]] = r["mime"]
    for r in facts["exhibit-3"]["files"]:
        mimes[r["fixtures_path"]] = r["mime"]

    def row(o: Output) -> str:
        what = o.tests + (f"; expect: {o.expect}" if o.expect else "")
        return f"| `{o.path}` | {len(o.data):,} | {o.made} | {what} | `{mimes.get(o.path)}` |\n"

    def members_line(o: Output) -> str:
        rows = member_facts(o.path.split("/", 2)[-1], o.members, o.format)
        parts = [f"`{m['forensic_path']}` {m['expected_category']}" for m in rows if m["kind"] == "still"]
        return "; ".join(parts) if parts else "—"

    header = "| path | bytes | how made | what it tests | libmagic MIME |\n|---|---|---|---|---|\n"
    s = facts["exhibit-3"]["summary"]
    se = facts["exhibit-3"]["summary_exact_only"]
    cats = ("A", "B", "C", "N", "pending")
    counts = ("| | " + " | ".join(cats) + " |\n|---|" + "---|" * len(cats) + "\n"
              + "| instances | " + " | ".join(str(s[c]["instances"]) for c in cats) + " |\n"
              + "| unique (sha256) | " + " | ".join(str(s[c]["unique"]) for c in cats) + " |\n"
              + "| instances, exact matching only | " + " | ".join(str(se[c]["instances"]) for c in cats) + " |\n")
    member_rows = "".join(f"| `{o.path.split('/', 2)[-1]}` | {members_line(o)} |\n" for o in exhibit)
    thumbs = [r for r in facts["exhibit-3"]["files"] if "pdq" in r]
    thumb_lines = "".join(
        f"- `{r['path']}`: picture PDQ quality {r['pdq']['main']['pdq_quality']}, nearest known "
        f"{r['pdq']['main']['nearest_known']['distance']} ({r['pdq']['main']['nearest_known']['picture']}); "
        f"thumbnail quality {r['pdq']['thumbnail']['pdq_quality']}, {r['pdq']['thumbnail_to_picture']} bits from "
        f"its picture, nearest known {r['pdq']['thumbnail']['nearest_known']['distance']} "
        f"({r['pdq']['thumbnail']['nearest_known']['picture']})"
        + (f" -> PDQ match {r['pdq']['thumbnail']['match']['category']}" if r['pdq']['thumbnail']['match'] else "")
        + ".\n" for r in thumbs)
    return (
        f"{README_SECTION}\n\n"
        "**Generated by `make-containers.py`** (`python3 Fixtures/make-containers.py`, after "
        "`make-fixtures.py`, which wipes `evidence/` and rewrites this README; this section is replaced on every "
        "run). Needs what make-fixtures.py needs plus `cryptography`, and the tools 7z, xorriso, zstd "
        "(optional: no `.tar.zst` without it), file and bsdtar (checks). Every timestamp is 2020-01-01 00:00:00 "
        "UTC, owner 0/0, members sorted; two runs give byte-identical files. Member contents are the exact bytes "
        "of exhibit-1/exhibit-2 pictures (categories as in the tables above, looked up by SHA-256); the only new "
        "pictures are the two EXIF JPEGs. `expected/container-facts.json` lists, for every file, its libmagic "
        "MIME type and description and every member triage should find, with forensic path "
        "(`container!/member`, nested: `Backups/photos.zip!/2019/old.tar.gz!/x/IMG_0003.jpg`), sha256, size, "
        "kind and expected category; for the bad ones an `expect` string and what this machine's bsdtar made of "
        "it (`observed_bsdtar`, information only). Single-file gzip/bzip2/xz name their member after the gzip "
        "FNAME or the file name without the suffix (`Downloads/diagram.png.gz!/diagram.png`); EXIF thumbnails are "
        "`<jpeg>!exif-thumbnail`; PDF images are `<pdf>!/object-N.jpg`, N the PDF object number (the facts also "
        "give each one's page and XObject name).\n\n"
        "### exhibit-3 (`evidence/exhibit-3`)\n\n" + header + "".join(row(o) for o in exhibit) +
        "\nStill images inside (forensic path, expected category in the main scenario):\n\n"
        "| file | still members |\n|---|---|\n" + member_rows +
        "\nExpected still-image counts for exhibit-3 scanned with full recursion (top-level JPEGs, members at "
        "every depth, EXIF thumbnails):\n\n" + counts +
        "\nEXIF thumbnails (PDQ distances in bits):\n\n" + thumb_lines +
        "\n### Hostile and damaged containers (`containers/bad`)\n\n" + header + "".join(row(o) for o in bad) +
        "\n### RAR (`containers/rar`)\n\nRAR cannot be written here; the two archives are libarchive's own test "
        "files (BSD-2-Clause), kept as the original uuencoded text and decoded by the script. Provenance in "
        "`containers/rar/NOTICE.md`.\n\n" + header + "".join(row(o) for o in rar)
    )


def write_readme(section: str) -> None:
    text_ = README.read_text()
    at = text_.find("\n" + README_SECTION)
    if at >= 0:
        text_ = text_[:at]
    README.write_text(text_.rstrip("\n") + "\n\n" + section)


# --------------------------------------------------------------------------
# Checks and main
# --------------------------------------------------------------------------

def check_thumbs(exhibit: list[Output]) -> dict:
    """The EXIF pictures: Pillow sees the thumbnail where IFD1 says; the
    intact one is near its picture, the edited one far from its picture and
    near meadow; new pictures are far from every known PDQ."""
    out = {}
    for o in exhibit:
        if o.format != "exif-thumbnail":
            continue
        thumb = o.members[0].data
        with Image.open(io.BytesIO(o.data)) as im:
            exif = im.getexif()
            assert exif.get(0x0112) == 1 and exif.get(0x010F) == "Triage", dict(exif)
            ifd1 = exif.get_ifd(-1)
            start, length = ifd1[0x0201], ifd1[0x0202]
            assert ifd1[0x0103] == 6 and length == len(thumb)
        tiff = o.data[2 + 4 + 6:]
        assert tiff[start:start + length] == thumb
        main_pdq, thumb_pdq = pdq_report(o.data), pdq_report(thumb)
        d = MF.hamming(main_pdq["pdq"], thumb_pdq["pdq"])
        assert main_pdq["match"] is None and main_pdq["nearest_known"]["dihedral_distance"] > MF.PDQ_FAR_DISTANCE
        if "edited" in o.path:
            assert d > MF.PDQ_FAR_DISTANCE, d
            assert thumb_pdq["match"] and thumb_pdq["match"]["picture"] == "meadow", thumb_pdq
            assert thumb_pdq["nearest_known"]["distance"] <= MF.PDQ_NEAR_DISTANCE
            o.members[0].category, o.members[0].basis = "A", "perceptual"
        else:
            assert d <= MF.PDQ_NEAR_DISTANCE, d
            assert thumb_pdq["match"] is None and thumb_pdq["nearest_known"]["dihedral_distance"] > MF.PDQ_FAR_DISTANCE
            o.members[0].category = "pending"
        out[o.path.split("/", 2)[-1]] = {"main": main_pdq, "thumbnail": thumb_pdq, "thumbnail_to_picture": d,
                                         "exif_thumbnail_offset_in_tiff": start, "exif_thumbnail_length": length}
    return out


def check_outputs(outputs: list[Output]) -> None:
    """Round-trip what Python can read, so a mistake fails here and not in a test."""
    for o in outputs:
        if o.format in ("zip", "docx", "xlsx", "odt") and o.path.split("/")[-1] not in (
                "broken-cd.zip", "password.zip", "password-aes.zip", "bomb.zip", "deflate64.zip"):
            with zipfile.ZipFile(io.BytesIO(o.data)) as zf:
                assert zf.testzip() is None, o.path
        if o.format in ("docx", "xlsx", "odt"):
            import xml.etree.ElementTree as ET
            with zipfile.ZipFile(io.BytesIO(o.data)) as zf:
                for name in zf.namelist():
                    if name.endswith((".xml", ".rels")):
                        ET.fromstring(zf.read(name))      # well-formed
        if o.format == "pdf":
            for m in o.members:
                assert o.data.count(m.data) == 1, o.path
    # deep-20: walk the chain.
    level = next(o for o in outputs if o.path.endswith("/deep-20.zip")).data
    for n in range(1, DEEP_LEVELS + 1):
        with zipfile.ZipFile(io.BytesIO(level)) as zf:
            names = zf.namelist()
            if n < DEEP_LEVELS:
                assert names == [f"level{n:02d}.png", "next.zip"], names
                assert zf.read(names[0]) == src(TRIANGLES)
                level = zf.read("next.zip")
            else:
                assert names == [f"level{n:02d}.jpg"] and zf.read(names[0]) == src(IMG_0001)
    # bomb: follow 0.zip down to the leaf.
    level = next(o for o in outputs if o.path.endswith("/bomb.zip")).data
    for n in range(BOMB_LEVELS):
        with zipfile.ZipFile(io.BytesIO(level)) as zf:
            assert zf.namelist() == [f"{i:x}.zip" for i in range(BOMB_FANOUT)]
            level = zf.read("0.zip")
    with zipfile.ZipFile(io.BytesIO(level)) as zf:
        assert zf.namelist() == ["zeros.bin"] and zf.read("zeros.bin") == bytes(BOMB_LEAF)
    pw = next(o for o in outputs if o.path.endswith("/password.zip"))
    with zipfile.ZipFile(io.BytesIO(pw.data)) as zf:
        assert zf.read("IMG_0001.jpg", pwd=PASSWORD.encode()) == src(IMG_0001)
    odt_ = next(o for o in outputs if o.path.endswith(".odt"))
    assert odt_.data[30:38] == b"mimetype" and odt_.data[38:77] == b"application/vnd.oasis.opendocument.text"


def main() -> None:
    exhibit = build_exhibit()
    bad = build_bad()
    rar = build_rar()
    thumbs = check_thumbs(exhibit)
    check_outputs(exhibit + bad)

    shutil.rmtree(EXHIBIT, ignore_errors=True)
    shutil.rmtree(BAD, ignore_errors=True)
    for p in RAR.glob("*.rar"):
        p.unlink()
    for o in exhibit + bad + rar:
        p = ROOT / o.path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(o.data)
    facts = build_facts(exhibit, bad, rar, thumbs)
    FACTS.write_text(json.dumps(facts, indent=1, ensure_ascii=False) + "\n")
    write_readme(build_readme_section(exhibit, bad, rar, facts))
    total = sum(len(o.data) for o in exhibit + bad + rar)
    print(f"wrote {len(exhibit)} exhibit-3 files, {len(bad)} bad containers, {len(rar)} RAR files; {total:,} bytes")


if __name__ == "__main__":
    main()
