"""Offline replication for field volunteers' phones, behind the RxDB GraphQL protocol.

One ``SyncedType`` declaration per collection (``sync.collections``) drives the GraphQL
types, the pull, the push and the stream. The merge and checkpoint rules are pure functions
over plain data (``sync.merge``, ``sync.checkpoint``); the rest reads and writes through the
caller's session and never commits.
"""
