#!/usr/bin/env python3
"""Synthetic review items for Benchmarks/review/run.sh: N JPEGs at 1920x1080, each different
(gradients, shapes and noise from a seeded generator), so that no two are near-duplicates.

    python3 make-items.py OUT_DIR [N]
"""
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

out = Path(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
out.mkdir(parents=True, exist_ok=True)
for index in range(count):
    rng = random.Random(index)
    image = Image.linear_gradient("L").resize((1920, 1080)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(1920), rng.randrange(1080)
        w, h = rng.randrange(40, 600), rng.randrange(40, 400)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour)
    image.effect_spread(3).save(out / f"item-{index:04d}.jpg", quality=88)
