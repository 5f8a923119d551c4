"""The root Query type, composed of one mixin per area of the API."""

from __future__ import annotations

import strawberry

from schema.access_log import AccessLogQueries
from schema.council import CouncilQueries
from schema.devices import DeviceQueries
from schema.duplicates import DuplicateQueries
from schema.login_lockouts import LoginLockoutQueries
from schema.registry_queries import RegistryQueries
from schema.resident_tags import ResidentTagQueries
from schema.staff_accounts import StaffAccountQueries
from schema.sync import SyncQueries
from schema.votes import VoteQueries


@strawberry.type
class Query(
    RegistryQueries,
    CouncilQueries,
    VoteQueries,
    SyncQueries,
    LoginLockoutQueries,
    DuplicateQueries,
    AccessLogQueries,
    DeviceQueries,
    ResidentTagQueries,
    StaffAccountQueries,
):
    pass
