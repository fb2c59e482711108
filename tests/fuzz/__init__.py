"""Fuzzing update sequences (issue 8): hypothesis draws sequences of updates by several fake
people through every conversation of the real Application, driven over HTTP against the fake
Bot API, and checks after every step that nothing raised, that every private message and button
press was answered, and that no row changed that the step's actors were not allowed to change.

``world`` runs one bot for many sequences, ``inputs`` makes hostile input, ``sequences`` draws
and performs the steps; ``python -m tests.fuzz --sequences N`` is the long run, and
``tests/e2e/test_fuzz.py`` the bounded one in the suite.
"""
