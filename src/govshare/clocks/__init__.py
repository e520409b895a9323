"""Clocks: the working-day calendar and the escalation ladder of every deadline on the platform.

Vocabulary: working day (工作日), holiday (法定节假日), make-up working day (调休上班日), known
year (已录入国务院节假日安排的年份), provisional deadline (暂定期限: it crosses a year whose holiday
notice is not yet entered, so only weekends are counted), ladder (督办阶梯): 提醒 remind before
the due date → 催办 urge when overdue → 督办 supervise after a further period → 通报 notify
publicly. A case kind (``supervision.milestone``, ``sharing.request`` …) has its own ladder.

Extra file: ``calendar.py`` holds the pure computations (``WorkCalendar``, ``evaluate``): no
database, no clock, so every module and every test can use them with a calendar it builds.
"""
