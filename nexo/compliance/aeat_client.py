"""The client of the AEAT's VERI*FACTU web service: one SOAP request with a submission of records, and what
came of it, classified by whether sending the same records again is safe and useful.

django-verifactu builds the request (`submission.build_submission`, `soap.wrap_in_envelope`) and reads the
answer (`soap.parse_response`); its own `transport.post` always talks to the AEAT's hosts, so the request is
posted here, to the endpoint the installation names (settings.NEXO_AEAT_ENDPOINT: a local fake in tests)
or, when it names none, to the AEAT's host for the company's environment. Over https the company's
certificate authenticates the request (mutual TLS); a plain http:// endpoint is only ever a local fake.

Nothing here raises for what the network or the AEAT did: every outcome is an `Exchange`, holding the
request and the answer exactly as they went and came, for the submission to keep."""

from dataclasses import dataclass
from enum import StrEnum

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django_verifactu.aeat.domain import SubmissionResult
from django_verifactu.aeat.soap import AeatFault, OutcomeUnknown, parse_response, wrap_in_envelope
from django_verifactu.aeat.transport import client_ssl_context
from lxml import etree

from nexo.compliance.certificates import SigningCertificate

PATH = "/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
HOSTS = {"test": "prewww1.aeat.es", "production": "www1.agenciatributaria.gob.es"}
# The AEAT has taken more than 30 seconds to answer a large submission; a connection takes far less.
TIMEOUT = httpx.Timeout(120, connect=10)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Delivery(StrEnum):
    """What became of a request, as far as sending its records again is concerned."""

    ANSWERED = "answered"  # the AEAT processed it: each record has its answer
    REFUSED = (
        "refused"  # the AEAT refused the whole request as it is (SOAP client fault): resending is useless
    )
    NOT_DELIVERED = "not_delivered"  # it never reached the AEAT, or was turned away unprocessed: send again
    SERVER_FAULT = "server_fault"  # the AEAT failed to process it: send again
    UNKNOWN = "unknown"  # the answer was lost: send again (records the AEAT holds answer as duplicates)


RETRYABLE = frozenset({Delivery.NOT_DELIVERED, Delivery.SERVER_FAULT, Delivery.UNKNOWN})


@dataclass(frozen=True)
class Exchange:
    endpoint: str
    request: bytes
    delivery: Delivery
    response: bytes = b""
    http_status: int | None = None
    result: SubmissionResult | None = None
    error: str = ""
    error_code: int | None = None

    @property
    def retryable(self) -> bool:
        return self.delivery in RETRYABLE


def endpoint_for(environment: str) -> str:
    """Where submissions go: settings.NEXO_AEAT_ENDPOINT when the installation sets it, else the AEAT's
    host for the company's environment (test or production)."""
    configured = getattr(settings, "NEXO_AEAT_ENDPOINT", "")
    if configured:
        return configured
    return f"https://{HOSTS.get(environment, HOSTS['test'])}{PATH}"


def send(
    submission: etree._Element,
    *,
    endpoint: str,
    certificate: SigningCertificate | None,
    timeout: httpx.Timeout | float | None = None,
) -> Exchange:
    """Post a submission (sum:RegFactuSistemaFacturacion) in its SOAP envelope and read the answer."""
    request = wrap_in_envelope(submission)
    secure = endpoint.lower().startswith("https://")
    if secure and certificate is None:
        return Exchange(
            endpoint, request, Delivery.NOT_DELIVERED, error=_("No certificate to authenticate with.")
        )
    try:
        verify = client_ssl_context(certificate.pkcs12, certificate.password) if secure else False
    except (ValueError, OSError) as error:
        return Exchange(
            endpoint,
            request,
            Delivery.NOT_DELIVERED,
            error=_("The certificate cannot be used: %(error)s") % {"error": error},
        )
    try:
        with httpx.Client(verify=verify, timeout=timeout or TIMEOUT, follow_redirects=False) as client:
            answer = client.post(
                endpoint,
                content=request,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            )
    except _NOT_SENT as error:
        return Exchange(
            endpoint,
            request,
            Delivery.NOT_DELIVERED,
            error=_("The AEAT could not be reached: %(error)s") % {"error": _said(error)},
        )
    except httpx.RequestError as error:
        return Exchange(
            endpoint,
            request,
            Delivery.UNKNOWN,
            error=_("The AEAT's answer was lost: %(error)s") % {"error": _said(error)},
        )
    return _read(endpoint, request, answer)


def _read(endpoint: str, request: bytes, answer: httpx.Response) -> Exchange:
    def exchange(delivery: Delivery, **outcome) -> Exchange:
        return Exchange(
            endpoint, request, delivery, response=answer.content, http_status=answer.status_code, **outcome
        )

    if answer.status_code == 429:
        return exchange(Delivery.NOT_DELIVERED, error=_("The AEAT refuses requests for a while (HTTP 429)."))
    if answer.is_redirect:
        # The AEAT sends an unknown or expired certificate to an error page, before reading the request.
        where = " ".join(filter(None, (str(answer.status_code), answer.headers.get("location", ""))))
        refused = _("The AEAT refused the certificate (HTTP %(status)s).") % {"status": where}
        return exchange(Delivery.NOT_DELIVERED, error=refused)
    try:
        result = parse_response(answer.content)
    except AeatFault as fault:
        delivery = Delivery.SERVER_FAULT if fault.retryable else Delivery.REFUSED
        return exchange(delivery, error=f"{fault.fault_code}: {fault.message}", error_code=fault.error_code)
    except OutcomeUnknown as error:
        unexpected = _("Unexpected answer (HTTP %(status)s): %(error)s")
        return exchange(Delivery.UNKNOWN, error=unexpected % {"status": answer.status_code, "error": error})
    except (ValueError, TypeError, AttributeError) as error:
        # XML of the right kind with a value parse_response cannot read: as good as no answer.
        return exchange(Delivery.UNKNOWN, error=_("Unreadable answer: %(error)s") % {"error": error})
    return exchange(Delivery.ANSWERED, result=result)


def _said(error: Exception) -> str:
    return str(error).strip() or type(error).__name__
