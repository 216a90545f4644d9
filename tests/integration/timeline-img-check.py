#!/usr/bin/python3
"""Checks the pictures of `cotrace timeline` against the JSON report.

    timeline-img-check.py svg FILE.svg REPORT.json
        the title holds the report's figures; every process and thread of
        the report is labelled; one fork arrow per fork whose parent was
        seen (the arrows are the stroked paths in the fork colour; the
        legend holds one more); each task's bar is labelled.
    timeline-img-check.py png FILE.png WIDTH MIN_HEIGHT MAX_HEIGHT
        the PNG's size, and that it is a picture, not a blank page: most
        pixels are background, but thousands are not, in many colours.
    timeline-img-check.py screenshot FILE.png WIDTH HEIGHT
        a browser's screenshot of the SVG: its size, and the picture in it
        (the fork colour and the dark text colour are present).

Only the standard library: the PNG is decoded here (zlib and the five
filters), so the test needs no imaging package.
"""
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib
import json

SVG = "{http://www.w3.org/2000/svg}"
FORK_RGB = (0xC0, 0x39, 0x2B)  # timeline-cairo.c COLOR_FORK
TEXT_RGB = (0x1F, 0x23, 0x28)  # COLOR_TEXT


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def read_png(path):
    """Returns (width, height, rows), rows as lists of (r, g, b) tuples."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG" % path)
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(
                ">IIBBBBB", body
            )
            if depth != 8 or ctype not in (2, 6) or interlace:
                fail("%s: unexpected PNG type (depth %d, colour type %d)"
                     % (path, depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if width is None:
        fail("%s: no IHDR" % path)
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * bpp : x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def near(p, q, tol=16):
    return all(abs(a - b) <= tol for a, b in zip(p, q))


def colour_stats(rows):
    counts = {}
    for row in rows:
        for p in row:
            counts[p] = counts.get(p, 0) + 1
    return counts


def check_picture(path, rows, what):
    counts = colour_stats(rows)
    total = sum(counts.values())
    background, bg_count = max(counts.items(), key=lambda kv: kv[1])
    drawn = total - bg_count
    if bg_count < total // 2:
        fail("%s: the background covers only %d of %d pixels" % (what, bg_count, total))
    if drawn < total // 100:
        fail("%s: nearly blank (%d pixels drawn of %d)" % (what, drawn, total))
    if len(counts) < 50:
        fail("%s: only %d colours: not a timeline" % (what, len(counts)))
    fork = sum(n for p, n in counts.items() if near(p, FORK_RGB, 24))
    text = sum(n for p, n in counts.items() if near(p, TEXT_RGB, 24))
    if fork < 20:
        fail("%s: no fork-arrow colour (%d pixels)" % (what, fork))
    if text < 1000:
        fail("%s: hardly any text (%d dark pixels)" % (what, text))
    return background, drawn, len(counts)


def check_png(path, width, min_h, max_h):
    w, h, rows = read_png(path)
    if w != width:
        fail("%s: width %d, expected %d" % (path, w, width))
    if not min_h <= h <= max_h:
        fail("%s: height %d, expected %d..%d" % (path, h, min_h, max_h))
    bg, drawn, colours = check_picture(path, rows, path)
    print("ok: %s %dx%d, %d pixels drawn in %d colours" % (path, w, h, drawn, colours))


def check_screenshot(path, width, height):
    w, h, rows = read_png(path)
    if (w, h) != (width, height):
        fail("%s: screenshot is %dx%d, expected %dx%d" % (path, w, h, width, height))
    bg, drawn, colours = check_picture(path, rows, "the browser's rendering")
    print("ok: %s %dx%d, the SVG rendered (%d pixels drawn in %d colours)"
          % (path, w, h, drawn, colours))


def stroke_rgb(style):
    """The stroke colour of a cairo SVG style attribute, as 0..255 ints."""
    m = re.search(r"stroke:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", style)
    if not m:
        m = re.search(r"stroke:rgb\((\d+),(\d+),(\d+)\)", style)
        return tuple(int(v) for v in m.groups()) if m else None
    return tuple(round(float(v) * 255 / 100) for v in m.groups())


def fork_arrows(root):
    n = 0
    for path in root.iter(SVG + "path"):
        style = path.get("style", "")
        rgb = stroke_rgb(style)
        if "fill:none" in style and rgb and near(rgb, FORK_RGB, 2):
            n += 1
    return n


def check_svg(path, report_path):
    with open(report_path) as f:
        r = json.load(f)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail("%s is not well-formed XML: %s" % (path, e))
    if root.tag != SVG + "svg":
        fail("%s: the root is %s, not svg" % (path, root.tag))
    if root.get("width") != "1920px":
        fail("%s: width %s, expected 1920px" % (path, root.get("width")))
    title = root.find(SVG + "title")
    if title is None or not title.text:
        fail("%s: no <title>" % path)
    s = r["summary"]
    for want in ("parallelism %.2f" % s["parallelism"],
                 "cpu_parallelism %.2f" % s["cpu_parallelism"],
                 "span "):
        if want not in title.text:
            fail("%s: title %r lacks %r" % (path, title.text, want))
    texts = [t.text or "" for t in root.iter(SVG + "text")]
    joined = "\n".join(texts)
    for p in r["processes"]:
        if not any(t.startswith("pid %d " % p["pid"]) or t == "pid %d" % p["pid"]
                   for t in texts):
            fail("%s: no label for process %d" % (path, p["pid"]))
    # Threads: every thread other than a main thread without tasks or TLS
    # (its process's lane tells its life).
    busy = {t["tid"] for t in r["tasks"]}
    for t in r["threads"]:
        if t["tid"] == t["pid"] and t["tid"] not in busy and not t["tls"]:
            continue
        if not any(x.startswith("tid %d" % t["tid"]) for x in texts):
            fail("%s: no label for thread %d" % (path, t["tid"]))
    for word in ("complete", "Warnings"):
        if word not in joined:
            fail("%s: no %r in the text" % (path, word))
    for w in r["warnings"]:
        if "[%s]" % w["kind"] not in texts:
            fail("%s: warning %s not listed" % (path, w["kind"]))
    pids = {p["pid"] for p in r["processes"]}
    forks = sum(1 for f in r["forks"] if f["parent_pid"] in pids)
    arrows = fork_arrows(root) - 1  # the legend's sample
    if arrows != forks:
        fail("%s: %d fork arrows, expected %d (forks in the report)"
             % (path, arrows, forks))
    # The fork tree: a child's label is indented further than its parent's.
    def label_x(prefix):
        for t in root.iter(SVG + "text"):
            if (t.text or "").startswith(prefix):
                return float(t.get("x"))
        return None
    for f in r["forks"]:
        if f["parent_pid"] in pids and f["child_pid"] in pids:
            px = label_x("pid %d " % f["parent_pid"])
            cx = label_x("pid %d " % f["child_pid"])
            if px is None or cx is None or not cx > px:
                fail("%s: pid %d is not indented under pid %d (x %s, %s)"
                     % (path, f["child_pid"], f["parent_pid"], cx, px))
    # Each task's bar: its label, wall time and CPU share.
    bars = [t for t in texts if re.match(r".* CPU (\d+|\?) %?$", t) or
            t.endswith("unfinished")]
    for task in r["tasks"]:
        if task["end_ns"] is None or task["cpu_ns"] is None:
            continue
        wall = task["end_ns"] - task["start_ns"]
        if wall <= 0:
            continue
        share = round(100 * min(task["cpu_ns"] / wall, 1.0))
        if not any(t.startswith(task["label"]) and
                   abs(int(re.search(r"CPU (\d+) %", t).group(1)) - share) <= 1
                   for t in bars if re.search(r"CPU (\d+) %", t)):
            fail("%s: no bar for task %d with CPU %d %% (bars: %s)"
                 % (path, task["id"], share, bars))
    # Each thread's TLS writes: key=value @address on its lane.
    for t in r["threads"]:
        for w in t["tls"][:1]:
            want = "%s=%s @0x%x" % (w["key"], w["value"], w["addr"])
            if want not in texts:
                fail("%s: TLS write %r of thread %d not marked" % (path, want, t["tid"]))
    print("ok: %s: title %r, %d processes, %d threads, %d fork arrows, %d bars, %d texts"
          % (path, title.text, len(r["processes"]), len(r["threads"]), arrows,
             len(bars), len(texts)))


def main(argv):
    if len(argv) == 4 and argv[1] == "svg":
        check_svg(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "png":
        check_png(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif len(argv) == 5 and argv[1] == "screenshot":
        check_screenshot(argv[2], int(argv[3]), int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
