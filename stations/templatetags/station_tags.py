from django import template

register = template.Library()
# Phone numbers in templates: core/templatetags/masking.py (the one rule, core/phones.py).
