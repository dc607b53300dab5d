"""Label printing speed and memory: the naive way against ``tracer.labels.write_labels_pdf``.

Naive: one label after another, ``qrcode`` with its automatic mask choice, drawn with fpdf2
into one in-memory document, measured on a small sample in this same run and extrapolated
to 10,000 labels. Ours: 10,000 labels streamed to a file. Each of our runs is a fresh
subprocess so its peak resident memory (``getrusage``) is its own: 1,000 vs 10,000 labels
shows whether memory grows with the count. Speed is printed, never asserted.

    python bench/labels.py [--quick] [--layout a4-3x8]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import common

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.codes.qr import encode_qr
from tracer.codes.serials import new_serial
from tracer.labels import LABEL_LAYOUTS, Label, write_labels_pdf
from tracer.labels.font import FONT_DIR

ROOT = common.ROOT
BASE = "https://trace.example.vn"
TARGET = 10_000


def labels(count: int) -> Iterator[Label]:
    """Typical labels, made lazily so the input does not sit in memory either."""
    for _ in range(count):
        serial = new_serial()
        uri = build_uri(BASE, DigitalLink("8935049500018", "ABCD2345EF", serial))
        yield Label(uri, "Dầu gấc nguyên chất Càng Long", "ABCD2345EF", serial, date(2027, 6, 30), 4)


def naive(count: int, layout: str) -> float:
    """Seconds for ``count`` labels the straightforward way (qrcode auto mask + fpdf2)."""
    import qrcode
    from fpdf import FPDF

    lay = LABEL_LAYOUTS[layout]
    start = time.perf_counter()
    pdf = FPDF(unit="mm", format=(lay.page_w, lay.page_h))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT_DIR / "DejaVuSansCondensed.ttf"))
    pdf.set_font("DejaVu", size=lay.info_pt)
    for i, label in enumerate(labels(count)):
        if i % lay.per_page == 0:
            pdf.add_page()
        left, top = lay.origin(i % lay.per_page)
        q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        q.add_data(label.uri)
        q.make()  # automatic mask: 8 trial layouts, each scored module by module
        matrix = q.get_matrix()
        module = lay.qr_mm / len(matrix)
        for y, row in enumerate(matrix):  # one rectangle per horizontal run of dark modules
            x = 0
            while x < len(row):
                if row[x]:
                    end = x
                    while end < len(row) and row[end]:
                        end += 1
                    x0, y0 = left + lay.pad + x * module, top + lay.pad + y * module
                    pdf.rect(x0, y0, (end - x) * module, module, "F")
                    x = end
                x += 1
        pdf.text(left + lay.pad + lay.qr_mm + 1, top + lay.pad + 4, label.product_name)
        pdf.text(left + lay.pad + lay.qr_mm + 1, top + lay.pad + 8, f"Lô: {label.lot}")
        pdf.text(left + lay.pad, top + lay.pad + lay.qr_mm + 2, label.serial)
    pdf.output()
    return time.perf_counter() - start


def qrcode_alone(count: int) -> float:
    """Seconds for ``count`` symbols from ``qrcode`` with its automatic mask, nothing drawn."""
    import qrcode

    uris = [label.uri for label in labels(count)]
    start = time.perf_counter()
    for uri in uris:
        q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        q.add_data(uri)
        q.make()
    return time.perf_counter() - start


def child(count: int, layout: str) -> None:
    """One measured run of ours, in its own process; prints a JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.pdf"
        start = time.perf_counter()
        with path.open("wb") as out:
            pages = write_labels_pdf(labels(count), layout, out)
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    usage = {
        w: resource.getrusage(w).ru_maxrss // 1024 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    }
    print(
        json.dumps(
            {
                "count": count,
                "seconds": seconds,
                "pages": pages,
                "bytes": size,
                "rss_mib": usage[resource.RUSAGE_SELF],
                "worker_rss_mib": usage[resource.RUSAGE_CHILDREN],
            }
        )
    )


def run_child(count: int, layout: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(count), "--layout", layout]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples (CI smoke run)")
    parser.add_argument("--layout", default="a4-3x8", choices=sorted(LABEL_LAYOUTS))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.layout)
        return
    sample, small, big = (48, 500, 2_000) if args.quick else (240, 1_000, TARGET)
    print(f"labels: {common.load_average()}")
    report = partial(common.report, "labels")
    uri = next(labels(1)).uri
    sym = encode_qr(uri, "M")
    print(f"typical URI ({len(uri)} chars): {uri}")
    print(
        f"  QR version {sym.version} at M ({sym.size}x{sym.size} modules + 4-module quiet zone);"
        f" at Q: version {encode_qr(uri, 'Q').version}"
    )
    lay = LABEL_LAYOUTS[args.layout]
    module = lay.qr_mm / (sym.size + 8)
    print(f"  on {args.layout}: {lay.qr_mm} mm box, {module:.2f} mm modules, level {lay.ec}")

    naive_s = naive(sample, args.layout)
    naive_rate = sample / naive_s
    print(
        f"\nnaive (qrcode auto mask + fpdf2), {sample} labels: {naive_s:.2f} s = {naive_rate:.0f} labels/s;"
        f" {TARGET:,} labels would take ~{TARGET / naive_rate:.0f} s"
    )
    report("naive labels (qrcode + fpdf2)", naive_rate, "labels/s")

    qr_rate = sample / qrcode_alone(sample)
    print(
        f"qrcode alone (auto mask, nothing drawn): {qr_rate:.0f} codes/s;"
        f" ~{TARGET / qr_rate:.0f} s for {TARGET:,}"
    )
    report("qrcode alone", qr_rate, "codes/s")

    runs = [run_child(n, args.layout) for n in (small, big)]
    for r in runs:
        rate = r["count"] / r["seconds"]
        print(
            f"ours, {int(r['count']):>6,} labels: {r['seconds']:6.2f} s = {rate:5.0f} labels/s,"
            f" {int(r['pages'])} pages, {r['bytes'] / 2**20:.1f} MiB PDF,"
            f" peak RSS {int(r['rss_mib'])} MiB (+ workers {int(r['worker_rss_mib'])} MiB)"
        )
    ours_rate = runs[1]["count"] / runs[1]["seconds"]
    print(
        f"\nspeed-up at {int(runs[1]['count']):,} labels: {ours_rate / naive_rate:.1f}x over naive labels,"
        f" {ours_rate / qr_rate:.1f}x over qrcode alone (target >= 3x);"
        f" {TARGET:,} labels in ~{TARGET / ours_rate:.1f} s (target < 25 s)"
    )
    count = f"{int(runs[1]['count']):,}"
    report(f"ours, {count} labels", ours_rate, "labels/s", baseline="naive labels", baseline_value=naive_rate)
    report(
        f"ours vs qrcode alone, {count} labels", ours_rate, "labels/s",
        baseline="qrcode alone", baseline_value=qr_rate, target=">= 3x", met=ours_rate >= 3 * qr_rate,
    )  # fmt: skip
    extrapolated = "" if runs[1]["count"] == TARGET else " (extrapolated)"
    seconds = TARGET / ours_rate
    report(f"time for {TARGET:,} labels{extrapolated}", seconds, "s", target="< 25 s", met=seconds < 25)
    growth = runs[1]["rss_mib"] - runs[0]["rss_mib"]
    print(
        f"peak memory {int(runs[0]['count']):,} -> {int(runs[1]['count']):,} labels: "
        f"{int(runs[0]['rss_mib'])} -> {int(runs[1]['rss_mib'])} MiB ({growth:+.0f} MiB): "
        f"{'flat' if growth < 10 else 'GROWS with the label count'}"
    )
    report(
        f"peak memory growth {int(runs[0]['count']):,} -> {count} labels", growth, "MiB",
        baseline=f"peak RSS at {int(runs[0]['count']):,}", baseline_value=runs[0]["rss_mib"],
        target="flat (< 10 MiB)", met=growth < 10,
    )  # fmt: skip


if __name__ == "__main__":
    main()
