"""Supervision: the city's work plan as tracked tasks — parts, sections, tasks with their lead and
co-units, milestones, progress reports, reminders and escalation, extensions and evaluation.

Vocabulary (DESIGN.md glossary): work plan (任务分解表), part (部分: 一、…),
section (小节: （一）…), task (任务), time node (时间节点), lead unit (牵头单位, the first unit
listed), co-unit (配合单位),
unit group (单位组: 市直有关部门 …), milestone (里程碑: a dated deliverable from the time node or a
deadline in the content), progress report (进度报送) with evidence (佐证材料), accept / return
(采纳 / 退回), extension request (延期申请), remind / urge / supervise / notify publicly
(提醒 / 催办 / 督办 / 通报), evaluation (考核评价).

Extra files: ``parsing.py`` reads time nodes, deadlines in the content, unit lists, the seed's text
layout and the four-column spreadsheet (pure functions); ``status.py`` computes the status of
milestones and tasks from dates, progress and reporting (pure, with the rule as text);
``spreadsheets.py`` reads and writes .xlsx; ``demo.py`` loads the seed plan and its rebased copy
with living progress.
"""
