"""`{{ document.payment_term|term_name }}`: a payment term's name in the active language."""

from django import template

from nexo.sales.services.terms import term_name

register = template.Library()
register.filter("term_name", term_name)
