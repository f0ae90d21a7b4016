"""Certificate PDFs (WeasyPrint) with a QR code pointing at the public verification page. Rendered on demand
from the certificate row, so a PDF always matches what the verification page says."""
from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Certificate

# WeasyPrint reports each layout step at INFO; one certificate is not worth seven log lines.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def verify_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's public verification page, on the platform's configured public
    address (`SITE_URL`, which `make run` sets from HOST and PORT): what the QR code encodes."""
    return settings.SITE_URL.rstrip("/") + reverse("lms:verify", args=[certificate.code])


def qr_svg(data: str) -> str:
    """A QR code as an SVG document (vector: sharp in print)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    return image.to_string(encoding="unicode")


def qr_data_uri(data: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data).encode()).decode()


def certificate_html(certificate: Certificate) -> str:
    url = verify_url(certificate)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("lms/certificate_pdf.html", {
            "cert": certificate, "verify_url": url, "qr": qr_data_uri(url),
            "plan_clause": certificate.completion.requirement.plan_clause,
            "signed_on": timezone.localdate(certificate.issued_at),
        })


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    from weasyprint import HTML

    return HTML(string=certificate_html(certificate), base_url=str(settings.BASE_DIR)).write_pdf()
