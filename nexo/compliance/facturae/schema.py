"""The Facturae 3.2.2 schema, read from the copies kept in nexo/compliance/schemas/facturae (README.txt says
where they come from), and the check every exported file passes.

The schema imports the W3C XML Signature schema; a resolver maps that import to the local copy and the
parser never touches the network, so validation gives the same answer on a machine without Internet access."""

import functools
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

from nexo.core.errors import Conflict

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "facturae"
FACTURAE_XSD = SCHEMA_DIR / "Facturaev3_2_2.xsd"
XMLDSIG_XSD = SCHEMA_DIR / "xmldsig-core-schema.xsd"
NAMESPACE = "http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml"
XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
# How the signature schema is named: by the Facturae schema's schemaLocation, or by its W3C address.
_XMLDSIG_NAMES = ("xmldsig-core-schema.xsd",)


class _LocalSchemas(etree.Resolver):
    """The xmldsig import read from the local copy; anything else the schemas might name is refused."""

    def resolve(self, system_url, public_id, context):
        if system_url and system_url.rsplit("/", 1)[-1] in _XMLDSIG_NAMES:
            return self.resolve_filename(str(XMLDSIG_XSD), context)
        if system_url and Path(system_url).resolve().parent == SCHEMA_DIR:
            return None  # one of our own files, read as it is
        raise etree.XMLSchemaParseError(f"schema {system_url!r} is not kept locally")


def safe_parser() -> etree.XMLParser:
    """A parser that reads no network resource, no external entity and no DTD."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


@functools.cache
def facturae_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(FACTURAE_XSD), parser))


def facturae_errors(document: bytes) -> list[str]:
    """What the schema says against the document, one line each (empty: valid)."""
    try:
        tree = etree.fromstring(document, safe_parser())
    except etree.XMLSyntaxError as error:
        return [str(error)]
    schema = facturae_schema()
    if schema.validate(tree):
        return []
    return [f"{entry.message} (line {entry.line})" for entry in schema.error_log]


def facturae_validate(document: bytes) -> None:
    """Refuse (Conflict) a file the Facturae 3.2.2 schema does not accept, with the schema's first reason."""
    errors = facturae_errors(document)
    if errors:
        raise Conflict(
            _("The Facturae file does not validate against the Facturae 3.2.2 schema: %(reason)s")
            % {"reason": errors[0]}
        )
