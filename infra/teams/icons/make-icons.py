#!/usr/bin/env python3
"""Draws the app package's icons (the favicon's check mark): color.png 192x192 (the mark on the brand blue) and
outline.png 32x32 (the mark in white on transparent, as Teams requires). Standard library only; run once, the PNGs are
committed. Usage: python3 make-icons.py"""
import math, struct, zlib

BLUE = (0x24, 0x57, 0xD6)
MARK = [(9, 17), (14, 22), (23, 11)]  # the favicon's path, in a 32x32 box


def seg_dist(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def coverage(size, inside, samples=4):
    """Anti-aliased coverage of a shape given as inside(x, y) in 32-unit coordinates."""
    out = []
    for y in range(size):
        row = []
        for x in range(size):
            hits = sum(inside((x + (i + 0.5) / samples) * 32 / size, (y + (j + 0.5) / samples) * 32 / size)
                       for i in range(samples) for j in range(samples))
            row.append(hits / samples ** 2)
        out.append(row)
    return out


def mark(width):
    return lambda x, y: min(seg_dist(x, y, MARK[0], MARK[1]), seg_dist(x, y, MARK[1], MARK[2])) <= width / 2


def png(path, size, pixel):
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def mix(a, b, t):
    return tuple(round(a[i] * (1 - t) + b[i] * t) for i in range(3))


# The color icon fills its square: Teams rounds the corners itself.
check = coverage(192, mark(3.5))
png("color.png", 192, lambda x, y: (*mix(BLUE, (255, 255, 255), check[y][x]), 255))
outline = coverage(32, mark(3))
png("outline.png", 32, lambda x, y: (255, 255, 255, round(255 * outline[y][x])))
