"""Quality: data quality supervision — rules on data items, one-pass checks inside the datastore
engine, the publish gate, scores, inspection reports, rectification and objections.

Vocabulary (GB/T 36344): rule (质量规则: a kind over one or more data items, severity error 错误
— blocks publishing — or warning 警告, a tolerated failing share 容忍比例), dimension (维度:
completeness 完整性, validity 规范性, uniqueness 唯一性, consistency 一致性, timeliness 时效性),
run (检查: one measurement of a version, by the gate 发布检查, the schedule 定期巡检 or by hand),
finding (检查结果: a rule's failing count, share and at most 20 sample keys in a run), issue
(整改事项: a failing rule the department must fix, with a working-day deadline; marked fixed,
verified by the next run, escalated when overdue), score (质量评分: per dimension and overall,
weighted), objection (数据异议: a consumer flags a wrong value; the provider answers within a
deadline and fixes it in a new version).

Extra files: ``compiler.py`` turns rules into DuckDB SQL predicates (pure; identifiers' check
digits as SQL expressions); ``suggest.py`` proposes rules from data items' names and types;
``reports.py`` writes the inspection report as .xlsx and PDF; ``demo.py`` adds the demo rules and
one inspection run.
"""
