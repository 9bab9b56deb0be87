"""How Bridge shows dates and times: one set of named formats (settings.FORMAT_MODULE_PATH).

Templates never spell a format out; they name one (`|date:"DATE_FORMAT"`), so every page shows a
date the same way (core/tests/test_date_formats.py holds them to it). Other languages keep their
own conventions (Django's locale formats), e.g. "7 de diciembre de 2026" in Spanish.
"""
