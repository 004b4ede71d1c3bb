#!/usr/bin/env python3
"""Writes the sample concept images shipped in conf/examples/concepts/ (Python 3 standard library only).

Two made-up concepts, drawn procedurally and seeded, so the files are the same on every run:
  sdti-bot/    an object: a small boxy robot (grey body, round head, one antenna) on plain or gradient
               backgrounds, at several positions, sizes and colours
  dot-style/   a style: soft-coloured polka dots on a tinted ground, one palette per picture

The pictures are 256 x 256 (flat colours keep them a few KB each), large enough for SD 2.1-base's 512 px training
(pictures below resolution / 2 are rejected) and for the tiny test model. They only let the pipeline run end to
end: with random-weight models the learned tokens mean nothing.

Usage: python3 conf/examples/concepts/make_samples.py [OUT_DIR]   (default: the folder of this script)
"""
import os
import random
import struct
import sys
import zlib

SIZE = 256


def png(width, height, rgb):
    """PNG bytes of an RGB image (bytearray, row-major); every row uses the Sub filter."""
    raw = bytearray()
    stride = width * 3
    for y in range(height):
        row = rgb[y * stride:(y + 1) * stride]
        raw.append(1)
        prev = bytearray(3)
        for x in range(0, stride, 3):
            for c in range(3):
                raw.append((row[x + c] - prev[c]) & 0xFF)
            prev = row[x:x + 3]

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


class Canvas:
    def __init__(self, colour):
        self.px = bytearray(bytes(colour) * SIZE * SIZE)

    def set(self, x, y, colour):
        if 0 <= x < SIZE and 0 <= y < SIZE:
            i = (y * SIZE + x) * 3
            self.px[i:i + 3] = bytes(colour)

    def rect(self, x0, y0, x1, y1, colour):
        for y in range(max(0, y0), min(SIZE, y1)):
            i = (y * SIZE + max(0, x0)) * 3
            n = min(SIZE, x1) - max(0, x0)
            if n > 0:
                self.px[i:i + 3 * n] = bytes(colour) * n

    def disc(self, cx, cy, r, colour):
        for y in range(cy - r, cy + r + 1):
            for x in range(cx - r, cx + r + 1):
                if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                    self.set(x, y, colour)

    def vertical_gradient(self, top, bottom):
        for y in range(SIZE):
            t = y / (SIZE - 1)
            c = [round(a + (b - a) * t) for a, b in zip(top, bottom)]
            self.rect(0, y, SIZE, y + 1, c)


def robot(seed):
    r = random.Random(seed)
    bg = [r.randrange(150, 250) for _ in range(3)]
    c = Canvas(bg)
    if r.random() < 0.5:
        c.vertical_gradient(bg, [max(0, v - 70) for v in bg])
    s = r.uniform(0.7, 1.2)
    cx = SIZE // 2 + r.randrange(-30, 31)
    base = SIZE - 30 - r.randrange(0, 30)
    body = [r.randrange(90, 140)] * 3
    accent = r.choice([(220, 60, 50), (40, 110, 210), (240, 180, 30)])
    w, h = int(70 * s), int(80 * s)
    c.rect(cx - w // 2 - int(12 * s), base - h + int(15 * s), cx - w // 2, base - int(20 * s), body)  # arms
    c.rect(cx + w // 2, base - h + int(15 * s), cx + w // 2 + int(12 * s), base - int(20 * s), body)
    c.rect(cx - w // 3, base - int(10 * s), cx - w // 8, base, (60, 60, 60))  # legs
    c.rect(cx + w // 8, base - int(10 * s), cx + w // 3, base, (60, 60, 60))
    c.rect(cx - w // 2, base - h - int(10 * s), cx + w // 2, base - int(10 * s), body)  # body
    c.rect(cx - w // 5, base - h + int(10 * s), cx + w // 5, base - h + int(30 * s), accent)  # chest panel
    head = int(28 * s)
    hy = base - h - int(10 * s) - head
    c.disc(cx, hy, head, [min(255, v + 30) for v in body])
    c.disc(cx - head // 2, hy - head // 5, max(2, head // 6), (20, 20, 20))  # eyes
    c.disc(cx + head // 2, hy - head // 5, max(2, head // 6), (20, 20, 20))
    c.rect(cx - 1, hy - head - int(20 * s), cx + 2, hy - head, (60, 60, 60))  # antenna
    c.disc(cx, hy - head - int(20 * s), max(3, int(5 * s)), accent)
    return c


def dots(seed):
    r = random.Random(seed)
    ground = [r.randrange(200, 250) for _ in range(3)]
    palette = [[r.randrange(40, 230) for _ in range(3)] for _ in range(3)]
    c = Canvas(ground)
    step = r.choice([32, 40, 48])
    radius = step // 3
    for j, y in enumerate(range(step // 2, SIZE + step, step)):
        for i, x in enumerate(range(step // 2 + (step // 2 if j % 2 else 0), SIZE + step, step)):
            c.disc(x, y, radius + r.randrange(-2, 3), palette[(i + j) % len(palette)])
    return c


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, draw, seeds in (("sdti-bot", robot, (1, 2, 3, 4)), ("dot-style", dots, (11, 12, 13))):
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        for k, seed in enumerate(seeds):
            path = os.path.join(folder, "%02d.png" % (k + 1))
            with open(path + ".tmp", "wb") as f:
                f.write(png(SIZE, SIZE, draw(seed).px))
            os.replace(path + ".tmp", path)
            print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
