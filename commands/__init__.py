"""The command line: one module per `python app.py` command, each with `add_parser(sub)` and `run(settings, args)`.

Why here, above adapters/: a command may start the web app (serve), build channel senders
(dispatch) or Teams and Slack artefacts, so commands sit at the top of the layers; app.py only
assembles them. A command imports what it needs when it runs, so `python app.py gaps` does not
load the web app.
"""

from __future__ import annotations

from commands import (
    ask,
    chat,
    dispatch,
    evaluate,
    export,
    gaps,
    hold,
    ingest,
    migrate,
    rekey,
    retention,
    school,
    serve,
    slack_manifest,
    summary,
    teams_package,
)

# In the order `python app.py --help` lists them.
COMMANDS = (
    serve,
    chat,
    ask,
    evaluate,
    ingest,
    gaps,
    school,
    dispatch,
    export,
    summary,
    retention,
    hold,
    teams_package,
    slack_manifest,
    migrate,
    rekey,
)
