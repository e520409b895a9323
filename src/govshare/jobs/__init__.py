"""Jobs: a durable queue for long work (loads, pulls, exports) with progress and leases.

Vocabulary: job (任务), kind (任务类型, e.g. ``datastore.load``), status (queued 排队中 / running
运行中 / succeeded 已完成 / failed 失败 / cancelled 已取消), progress (进度, 0..1 with a text),
lease (租约: a running job belongs to one worker until its lease expires).

``enqueue`` writes the job in the caller's transaction, so a rolled-back request enqueues nothing.
Handlers come from an explicit registry (kind → ``JobKind``) wired in ``main.py``; this module
imports no business module.

Extra files: ``worker.py`` claims jobs with a lease, runs their handler, records progress, and
on start-up fails jobs whose worker died (running their kind's cleanup hook); ``dispatch.py``
tells workers that work is waiting: by polling the job table (embedded default) or through NATS
JetStream (scale-out); ``cli.py`` holds ``govshare jobs …``.
"""
