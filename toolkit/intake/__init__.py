"""Requests and dispositions (SOP steps 1-5), before an application repository exists.

The public API, for the status view, the dashboard and the GitHub intake:

* :func:`toolkit.intake.registry.load` (``repo``) -> :class:`toolkit.intake.decide.Registry`: the registry
  at its tip, its whole history verified (refused when any commit is not a valid transition);
  ``Registry.requests`` maps each request id to a :class:`toolkit.intake.model.Request` (its ``state``,
  its ``records`` by file name, its ``events``: who did which transition when);
* :func:`toolkit.intake.report.rows`: the registers' rows (agenda number, dates, OPD, application, state,
  who must act next by name);
* :mod:`toolkit.intake.model`: states, transitions, the registry's layout.

The decision (:mod:`toolkit.intake.decide`) is pure; :mod:`toolkit.intake.registry` reads and writes git;
:mod:`toolkit.intake.act` makes a transition; :mod:`toolkit.intake.scaffold` makes the application
repository of an assigned request.
"""
