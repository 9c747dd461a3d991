"""What meeting tells the apps built on it, inside its own transactions.

``sitting_stops``: a sitting is being adjourned or closed. Sent by
``meeting.services.session_transition`` with the session row locked, after the transition was
accepted and before the session's own entry (``session.adjourn`` / ``session.close``), so that
what a receiver writes and logs commits or rolls back with the transition, and a closed chain
still ends with its close. Arguments: ``session``, ``action`` ("adjourn" or "close"), ``actor``.
A receiver that raises refuses the transition. (Meeting imports none of those apps: the floor
connects its receiver in ``FloorConfig.ready``.)
"""

from django.dispatch import Signal

sitting_stops = Signal()
