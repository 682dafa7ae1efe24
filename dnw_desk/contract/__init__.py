"""The contract the desk and the central server share: the sync wire format (``wire``) and the
column types both schemas store times with (``sqltypes``).

Neutral ground: it imports neither the desk's store or sync client nor the server, so either
side can change its internals without the other following (tests/server/test_layers.py).
"""
