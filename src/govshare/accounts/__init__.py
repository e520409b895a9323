"""Accounts: the department tree, unit groups, users, roles, web sessions and API tokens.

Vocabulary: department (部门/单位: municipal department, county/district government,
township/street, village/community, vertical unit, contractor), unit group (单位组, e.g.
市直有关部门, 各县市区政府), user (用户), role (角色), API token (接口令牌).

Extra file: ``auth.py`` resolves the actor of a request (web session cookie or bearer token);
``demo.py`` seeds the department tree and the demo accounts.
"""
