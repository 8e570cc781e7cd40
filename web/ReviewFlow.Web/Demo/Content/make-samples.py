#!/usr/bin/env python3
"""Writes the demo's sample documents (served in Development at /demo-content/): a three-page invoice PDF, a PNG
"photo" of a claim and a plain-text contract letter. Made for ReviewFlow, under the repository's licence; no third-party
content. Run from this folder: python3 make-samples.py"""
import struct
import zlib


def pdf(pages):
    """A minimal valid PDF: one Helvetica text stream per page (A4), with a correct cross-reference table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>"]
    kids = []
    for lines in pages:
        ops = ["0.14 0.34 0.84 rg 50 770 495 4 re f 0 g"]
        y = 730
        for i, line in enumerate(lines):
            size, font = (20, "F2") if i == 0 else (12, "F1")
            text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{font} {size} Tf 56 {y} Td ({text}) Tj ET")
            y -= 34 if i == 0 else 20
        stream = "\n".join(ops)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(width, height, pixel):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def claim_photo(x, y):
    """A stand-in for a photo of a damaged car: sky, road, a blue car body with a dent, two wheels."""
    if (x - 150) ** 2 + (y - 250) ** 2 < 34 ** 2 or (x - 330) ** 2 + (y - 250) ** 2 < 34 ** 2:
        return (30, 30, 34)
    if 90 <= x <= 390 and 170 <= y <= 240 or 150 <= x <= 320 and 120 <= y <= 170:
        if (x - 360) ** 2 + (y - 200) ** 2 < 26 ** 2:
            return (150, 40, 40)  # the dent, red-marked by the assessor
        return (36, 87, 214) if not (170 <= x <= 300 and 128 <= y <= 162) else (200, 225, 245)
    return (205, 222, 240) if y < 200 else (120, 124, 130)


invoice = pdf([
    ["Invoice INV-DEMO-1001", "Northwind Energy Ltd, 12 Harbour Road", "Bill to: Contoso Ltd, Accounts Payable",
     "Invoice date: 30 November 2026", "Period: November 2026", "", "Electricity, meter 44-1093 ........ 1,180.00 EUR",
     "Network charge ....................... 20.00 EUR", "Total due ......................... 1,200.00 EUR",
     "", "Page 1 of 3"],
    ["Meter readings", "Meter 44-1093, 1 November 2026: 18,204 kWh", "Meter 44-1093, 30 November 2026: 21,156 kWh",
     "Consumption: 2,952 kWh at 0.40 EUR", "", "Page 2 of 3"],
    ["Payment terms", "Due in 30 days, by 30 December 2026.", "IBAN DE00 0000 0000 0000 0000 00 (a demo account)",
     "Questions: billing@northwind.example", "", "Page 3 of 3"],
])
contract = """Mutual non-disclosure agreement (summary letter)

Between Woodgrove Bank and Contoso Ltd, reference NDA-DEMO-2001.

1. Term: three years from signature.
2. Scope: information about project Falcon shared by either party.
3. Exceptions: information already public or independently developed.
4. Governing law: England and Wales.

Signed for Contoso Ltd, 28 November 2026.
"""
open("invoice.pdf", "wb").write(invoice)
open("claim-photo.png", "wb").write(png(480, 320, claim_photo))
open("contract.txt", "w").write(contract)
