"""The compliance API: billing records, their verification and the VERI*FACTU settings (records), Facturae
files (facturae), submissions to the AEAT (submissions), customers' DIR3 codes for Facturae (einvoicing)."""

from nexo.compliance.api import einvoicing, facturae, records, submissions
from nexo.core.api import module_router

router = module_router("compliance", records, facturae, submissions, einvoicing)
