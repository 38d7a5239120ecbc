"""Nexo: an ERP whose CRM is a native module."""
