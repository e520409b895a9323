"""Audit: the append-only, SM3 hash-chained record of every write and every data read.

Vocabulary: audit entry (审计记录), action code (``<module>.<function>``), outcome
(success / denied / invalid / not_found / conflict / failed), chain digest (链式摘要).

Extra files: ``chain.py`` computes and verifies the HMAC-SM3 chain; ``group.py`` group-commits
the entries of data reads (many concurrent reads share one write, each response waits for its
entry to be durable). This module imports no other
business module; every module calls ``audit.service.record`` inside its own transaction.
"""
