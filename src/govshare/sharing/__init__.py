"""Sharing: consumer systems, requests decided within the legal limit, grants, the data API.

Owns consumer systems (a department's applications, with their bound API tokens and a
per-system pseudonym key), share requests (申请) and their review (approve, possibly narrowed;
return for more information; refuse with a reason) on the ``sharing.request`` clock of
``clocks``, grants (授权: system × resource × items × row filter × masks × validity × rate and
daily quota; revocable at once) and the data API (rows, lookup, batch lookup, verification/核验)
that applies a grant to every answer and records every call in the audit trail.

Glossary (DESIGN.md): 共享申请, 授权, 消费系统, 核验, 脱敏. Extra files: ``demo.py`` (the demo's
consumer system, grant and pending request) and ``access.py`` (the grant applied to rows:
filter, projection, masks; pure functions used by the service).
"""
