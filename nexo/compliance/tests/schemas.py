"""The AEAT's VERI*FACTU schemas kept with the project (nexo/compliance/schemas/verifactu/README.txt), loaded
offline: the tests check Nexo's XML against them, not only against the library's own copies."""

from functools import cache
from pathlib import Path

from lxml import etree

DIRECTORY = Path(__file__).resolve().parent.parent / "schemas" / "verifactu"
XMLDSIG = "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"


class _LocalXmldsig(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url == XMLDSIG:
            return self.resolve_filename(str(DIRECTORY / "xmldsig-core-schema.xsd"), context)
        return None


@cache
def aeat_schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmldsig())
    return etree.XMLSchema(etree.parse(str(DIRECTORY / f"{name}.xsd"), parser))


def schema_errors(element, name: str) -> list[str]:
    """What the AEAT's schema `name` (SuministroInformacion, SuministroLR…) finds wrong in `element`."""
    schema = aeat_schema(name)
    return [] if schema.validate(element) else [error.message for error in schema.error_log]
