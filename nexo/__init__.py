"""Nexo: an ERP whose CRM is a native module. How it is built, module by module: docs/README.md."""
