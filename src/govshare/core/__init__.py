"""Glue every module stands on, and no business rules.

config (settings), db (engine, sessions, one transaction per request), security (Actor, roles,
passwords, tokens, SM3/SM4), errors (the four domain exceptions and their HTTP form), i18n
(Babel catalogs, Chinese first), context (request id, client address, locale), pagination
(cursors), identifiers (GB 11643 / GB 32100 / GB 11714 check digits and generators), areas
(GB/T 2260 codes of Dezhou), web (templates, rendering, HTMX helpers), observability (logs,
metrics, request ids) and shell (login-independent pages: home, health, patterns).
"""
