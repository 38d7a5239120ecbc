"""A fake of the AEAT's VERI*FACTU web service: a real HTTP server on 127.0.0.1 (an ephemeral port) that
answers SOAP as the AEAT does, from the schemas the AEAT publishes (RespuestaSuministro.xsd), and keeps what
it received, each request checked against SuministroLR.xsd.

Its answer to each request is the next of `answers` (a list of modes), else `mode`:
- "accepted": every record Correcto, with a CSV and TiempoEsperaEnvio `wait_seconds`;
- "rejected": the records numbered in `reject` (default: the first one) Incorrecto with `reject_code` and
  its text, the rest Correcto (ParcialmenteCorrecto; Incorrecto when none is left);
- "accepted_with_errors": the first record AceptadoConErrores (2004), the rest Correcto;
- "duplicate": every record answered 3000, the AEAT holding it already (RegistroDuplicado, Correcta);
- "client_fault": the whole request refused, a soapenv:Client fault (HTTP 500, as the AEAT does);
- "server_fault": a soapenv:Server fault (HTTP 500); "error": HTTP 500 with an HTML page;
- "busy": HTTP 429; "slow": the accepted answer after `delay` seconds; "drop": the connection closed
  without an answer.
"""

import copy
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from django_verifactu.aeat.elements import RECORDS, RESPONSE, SOAP, SUBMISSION, add, tag
from django_verifactu.aeat.schemas import schema_violations
from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
REJECTION_TEXT = "Valor o tipo incorrecto del campo: NombreRazon"
SCHEMA_FAULT = "Codigo[4102].El XML no cumple con el esquema. Falta informar campo obligatorio."


@dataclass
class Received:
    """One request as it arrived: its body, the records it carried (operation, number, issue date) and
    whatever in it breaks SuministroLR.xsd (nothing, for a request the AEAT would read)."""

    body: bytes
    headers: dict[str, str]
    records: list[tuple[str, str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    answered: str = ""


class FakeAeat:
    def __init__(self, mode: str = "accepted", *, wait_seconds: int = 60):
        self.mode = mode
        self.answers: list[str] = []
        self.wait_seconds = wait_seconds
        self.reject: set[str] = set()
        self.reject_code = 1100
        self.delay = 0.0
        self.received: list[Received] = []
        self.responses: list[bytes] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"

    def start(self) -> "FakeAeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for a loop that was never started otherwise
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeAeat":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def sent_records(self) -> list[tuple[str, str, str]]:
        """Every record received, in the order received (a record sent twice appears twice)."""
        return [record for received in self.received for record in received.records]

    def _next_mode(self) -> str:
        with self._lock:
            return self.answers.pop(0) if self.answers else self.mode

    def _receive(self, body: bytes, headers: dict[str, str]) -> tuple[Received, etree._Element | None]:
        received = Received(body=body, headers=headers)
        try:
            envelope = etree.fromstring(body, PARSER)
        except etree.XMLSyntaxError as error:
            received.violations.append(f"not XML: {error}")
            return received, None
        submission = envelope.find(f"{tag(SOAP, 'Body')}/{tag(SUBMISSION, 'RegFactuSistemaFacturacion')}")
        if submission is None:
            received.violations.append("no sum:RegFactuSistemaFacturacion in the SOAP body")
            return received, None
        received.violations += [
            violation.message for violation in schema_violations(submission, "SuministroLR")
        ]
        for record in submission.iterfind(f"{tag(SUBMISSION, 'RegistroFactura')}/*"):
            received.records.append(_record_key(record))
        return received, submission


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on: a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _record_key(record: etree._Element) -> tuple[str, str, str]:
    invoice_id = record.find(tag(RECORDS, "IDFactura"))
    if etree.QName(record).localname == "RegistroAnulacion":
        names = ("IDEmisorFacturaAnulada", "NumSerieFacturaAnulada", "FechaExpedicionFacturaAnulada")
        operation = "Anulacion"
    else:
        names = ("IDEmisorFactura", "NumSerieFactura", "FechaExpedicionFactura")
        operation = "Alta"
    return operation, invoice_id.findtext(tag(RECORDS, names[1])), invoice_id.findtext(tag(RECORDS, names[2]))


def _handler(fake: FakeAeat):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: the tests read `received`
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received, submission = fake._receive(body, dict(self.headers))
            mode = fake._next_mode()
            received.answered = mode
            with fake._lock:
                fake.received.append(received)
            if mode == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if mode == "slow":
                time.sleep(fake.delay)
            if mode == "busy":
                return self._send(429, b"Too many requests", "text/plain")
            if mode == "error":
                return self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            if mode == "server_fault":
                return self._send(500, fault("soapenv:Server", "Codigo[-1].Error interno del servidor."))
            if mode == "client_fault" or submission is None or received.violations:
                return self._send(500, fault("soapenv:Client", SCHEMA_FAULT))
            answer = response(fake, submission, received.records, mode)
            with fake._lock:
                fake.responses.append(answer)
            self._send(200, answer)

        def _send(self, status: int, content: bytes, content_type: str = "text/xml; charset=UTF-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    return Handler


def fault(code: str, message: str) -> bytes:
    envelope = etree.Element(tag(SOAP, "Envelope"), nsmap={"soapenv": SOAP})
    body = add(envelope, SOAP, "Body")
    soap_fault = add(body, SOAP, "Fault")
    etree.SubElement(soap_fault, "faultcode").text = code
    etree.SubElement(soap_fault, "faultstring").text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def answer_element(fake: FakeAeat, submission: etree._Element, records, mode: str) -> etree._Element:
    """The sfR:RespuestaRegFactuSistemaFacturacion for a submission, as the AEAT writes it."""
    answer = etree.Element(
        tag(RESPONSE, "RespuestaRegFactuSistemaFacturacion"), nsmap={"tikR": RESPONSE, "tik": RECORDS}
    )
    header = submission.find(tag(SUBMISSION, "Cabecera"))
    taxpayer = header.findtext(f"{tag(RECORDS, 'ObligadoEmision')}/{tag(RECORDS, 'NIF')}")
    lines = []
    rejected_numbers = fake.reject or {number for _operation, number, _day in records[:1]}
    for index, (operation, number, day) in enumerate(records):
        if mode == "rejected" and number in rejected_numbers:
            lines.append((operation, number, day, "Incorrecto", fake.reject_code, REJECTION_TEXT))
        elif mode == "accepted_with_errors" and index == 0:
            lines.append(
                (operation, number, day, "AceptadoConErrores", 2004, "La fecha de operación es posterior.")
            )
        elif mode == "duplicate":
            lines.append((operation, number, day, "Incorrecto", 3000, "Registro de facturación duplicado."))
        else:
            lines.append((operation, number, day, "Correcto", None, None))
    wrong = sum(line[3] == "Incorrecto" for line in lines)
    state = "Correcto" if not wrong else "Incorrecto" if wrong == len(lines) else "ParcialmenteCorrecto"
    if wrong < len(lines):
        add(answer, RESPONSE, "CSV", f"A-{len(fake.received):04d}YYYYXXXXZZ")
        presentation = add(answer, RESPONSE, "DatosPresentacion")
        add(presentation, RECORDS, "NIFPresentador", taxpayer)
        add(
            presentation, RECORDS, "TimestampPresentacion",
            datetime.now(ZoneInfo("Europe/Madrid")).replace(microsecond=0).isoformat(),
        )  # fmt: skip
    answer.append(copy.deepcopy(header))
    answer[-1].tag = tag(RESPONSE, "Cabecera")
    add(answer, RESPONSE, "TiempoEsperaEnvio", str(fake.wait_seconds))
    add(answer, RESPONSE, "EstadoEnvio", state)
    for operation, number, day, status, code, text in lines:
        line = add(answer, RESPONSE, "RespuestaLinea")
        invoice_id = add(line, RESPONSE, "IDFactura")
        add(invoice_id, RECORDS, "IDEmisorFactura", taxpayer)
        add(invoice_id, RECORDS, "NumSerieFactura", number)
        add(invoice_id, RECORDS, "FechaExpedicionFactura", day)
        add(add(line, RESPONSE, "Operacion"), RECORDS, "TipoOperacion", operation)
        add(line, RESPONSE, "EstadoRegistro", status)
        if code is not None:
            add(line, RESPONSE, "CodigoErrorRegistro", str(code))
            add(line, RESPONSE, "DescripcionErrorRegistro", text)
        if mode == "duplicate":
            duplicate = add(line, RESPONSE, "RegistroDuplicado")
            add(duplicate, RECORDS, "IdPeticionRegistroDuplicado", "202603020000001")
            add(duplicate, RECORDS, "EstadoRegistroDuplicado", "Correcta")
    return answer


def response(fake: FakeAeat, submission: etree._Element, records, mode: str) -> bytes:
    envelope = etree.Element(tag(SOAP, "Envelope"), nsmap={"env": SOAP})
    add(envelope, SOAP, "Header")
    add(envelope, SOAP, "Body").append(answer_element(fake, submission, records, mode))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
