"""Placeholder until the part lands."""

from nexo.core.api import Endpoints

endpoints = Endpoints()
