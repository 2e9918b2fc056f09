"""Guided reporting flows (botbuilder-dialogs): disclosure, online-safety incident, concern about an adult.

Each flow is one module; `dialogs.flow.ReportFlow` gives them all cancel / help / back /
start again, mid-report policy questions, validation and persistence. State diagrams are
in each module's docstring.
"""
