"""Notify: the one way modules tell people things — in-app notifications, e-mail, webhooks.

Vocabulary: notification (站内通知, shown under the bell), outbox (发件箱: e-mails and webhook
calls written in the caller's transaction and delivered after it commits, so a rolled-back request
sends nothing), webhook (回调地址, each call signed with HMAC-SM3), delivery attempt (投递记录),
recipients (users, departments with given roles, unit groups).

Extra file: ``delivery.py`` talks to the outside world (SMTP, HTTP) for the outbox.
"""
