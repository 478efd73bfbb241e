"""QR code images: PNG (Pillow) for screens and printers, SVG for posters of any size."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

# Medium error correction survives a crease or a smudge on a door hanger and keeps the code small.
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def _code(data: str, **options) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, **options)
    code.add_data(data)
    code.make(fit=True)
    return code


def png(data: str, *, box_size: int = 8) -> bytes:
    """A black-on-white PNG of ``data``; ``box_size`` pixels per module."""
    image = _code(data, box_size=box_size).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def svg(data: str) -> bytes:
    """A standalone SVG document of ``data`` (one path, scales to any size without blur)."""
    image = _code(data, image_factory=qrcode.image.svg.SvgPathImage).make_image()
    return image.to_string(encoding="utf-8")
