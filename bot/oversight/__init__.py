"""Oversight for the people who run safeguarding: the whole picture, not one report at a time.

A DSL can list, open and close reports one by one; governors must receive regular reports
(KCSIE), and a DSL is judged on how fast concerns are picked up. This package turns the
database into counts (`figures`), shows them in chat to role holders (`overview`, asked for
through `overview_command`), writes
the governors' termly page (`summary_page`, `charts`, `summary_command`) with small counts
hidden (`suppression`), watches each policy's review date (`review_dates`,
`review_reminders`) and groups unanswered questions by meaning (`gap_groups`).

Nothing here shows a child's name or a word of a report: counts, references and times only.
No channel code: the overview is a `dialogs.rendering.Summary`, rendered by the adapters.
"""
