"""Collections a device reads but never writes: its grid nodes, its own posts, its notices."""

from __future__ import annotations

from sqlalchemy import true

from domain.models import DeviceNotice, Grid, GridPost
from sync import notices
from sync.collections.households import covers
from sync.declaration import Field, Kind, Owner, SyncedType

GRIDS = SyncedType(
    name="grid",
    model=Grid,
    description="The grid nodes (网格, 微网格) the device's posts cover.",
    fields=(
        Field("name", Kind.TEXT, lambda: Grid.name, owner=Owner.SERVER),
        Field("level", Kind.TEXT, lambda: Grid.level, owner=Owner.SERVER),
        Field("parentId", Kind.ID, lambda: Grid.parent_id, owner=Owner.SERVER),
    ),
    scope=lambda scope: covers(Grid.id, scope),
)

POSTS = SyncedType(
    name="gridPost",
    model=GridPost,
    description="The device's account's own posts (定岗定责).",
    fields=(
        Field("gridId", Kind.ID, lambda: GridPost.grid_id, owner=Owner.SERVER),
        Field("role", Kind.TEXT, lambda: GridPost.role, owner=Owner.SERVER),
    ),
    scope=lambda scope: GridPost.account_id == scope.account_id,
    grid_scoped=False,
)

NOTICES = SyncedType(
    name="deviceNotice",
    model=DeviceNotice,
    description="Messages for this device: why a pushed row was refused, or 'resync from "
    "scratch'. The stock protocol has no place for a reason; this collection is it. "
    "`message` is in the language of the pull request's Accept-Language (Chinese by default).",
    fields=(
        Field("kind", Kind.TEXT, lambda: DeviceNotice.kind, owner=Owner.SERVER),
        Field("collection", Kind.TEXT, lambda: DeviceNotice.collection, owner=Owner.SERVER),
        Field("documentId", Kind.TEXT, lambda: DeviceNotice.document_id, owner=Owner.SERVER),
        Field("code", Kind.TEXT, lambda: DeviceNotice.code, owner=Owner.SERVER),
        Field(
            "message",
            Kind.TEXT,
            lambda: DeviceNotice.message,
            owner=Owner.SERVER,
            present=notices.present,
        ),
        Field("createdAt", Kind.NUMBER, lambda: DeviceNotice.created_at, owner=Owner.SERVER),
    ),
    scope=lambda scope: (
        DeviceNotice.device_id == scope.device_id if scope.device_id is not None else ~true()
    ),
    grid_scoped=False,
)
