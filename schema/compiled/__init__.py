"""The compiled read path: a registry query answered by one SQL statement per root field.

The general executor resolves a page of 500 residents field by field: half a million Python
calls and a loader batch per level, and most of a request's time went to graphql-core's
allocations and their garbage collection. Here an operation text is recognised once (parsed
and validated as the general path does it, ``schema.document_checks``), and each request
builds, for each root field, one statement whose single value is that field's JSON, written
by the database (``domain.json_sql``) with the permission and masking predicates of
``domain.permissions`` inside it. The server forwards the bytes.

The general executor stays the reference and answers everything this path declines: other
fields, directives, repeated response keys, refusals (cost, depth, aliases, text), a by-id
field whose row is not there, any argument that does not coerce or that a resolver would
refuse. ``tests/schema/test_compiled_reads_differential.py`` runs generated operations
through both and demands the same response.
"""
