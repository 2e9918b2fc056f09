"""The safeguarding record: reports, their one layout, the DSL's commands, export, retention and audit."""
