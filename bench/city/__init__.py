"""The city's morning (issue 13): every council of the city holding its sitting at once.

The city council (~95 delegates) and its communes, wards and special zones (168 of ~30) each
run a sitting with a console and a projector, in one database and one deployment. The screens
arrive over a minute, or all at once; every sitting advances its agenda; 20 sittings vote at
the same moment, then all of them. ``python -m bench --city`` runs it; ``tests/bench`` plays a
small city as a correctness test (every ballot counted once, every screen sees every event of
its own sitting in order and none of another's).
"""
