"""The compliance API: billing records, their verification and the VERI*FACTU settings (records), Facturae
files (facturae), submissions to the AEAT (submissions)."""

from nexo.compliance.api import facturae, records
from nexo.core.api import module_router

router = module_router("compliance", records, facturae)
