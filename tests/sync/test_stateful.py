"""Generated histories of offline phones against the real API (a Hypothesis state machine).

Each example builds a fresh neighbourhood inside one world per database: grid nodes R (with
micro-grids A and B) and R2 (micro-grid C), households and residents in each micro-grid, a
visit note, and 3-5 volunteers, each with a device, whose posts overlap (two on A, the chief
of R covering A and B, one on B, one on C). The phones then edit, create and delete
households, residents and visit notes offline, push (heard, answer lost, answer lost and the
push retried), pull pages, get pushes re-delivered late or twice, and are moved to another
grid and back. Everything goes through the GraphQL API in-process, as the RxDB client sends
it (``tests.sync.client.Phone``); the device side follows the client (``tests.sync.replica``).

Checked after every step (``acknowledged_writes_are_kept``):

- every value a device pushed and heard back about (answered ``[]`` or with a merged master)
  is in the master, or in the conflict inbox (as the device's or the server's side), or kept
  as a refused push; unless a later push whose author had seen that value changed it;
- an acknowledged delete stays deleted (or was refused and kept);
- no document is duplicated and none appears that nobody created;
- no master holds a value a device forged for a server-owned field (or for ``updatedAt``).

At the end of every example everyone comes online, pushes and pulls until quiet; then each
device's replica equals a fresh full pull for that device (no document outside its scope, no
stale field), and nothing is dirty.

The stream's part is modelled where convergence needs it: after a heard push the device
receives what the stream would send: everything past its checkpoint, then the documents the
server announced for re-emission (``reemit``), fetched with the stream's own query
(``sync.replication.documents_by_id``). (Modelling only the second part once gave a phone a
document of a scope it had not been replayed into: a fault of the model, not the server.)

Reproduce a failure: Hypothesis prints the steps and a ``@reproduce_failure`` blob (add it to
``SyncMachine``); ``--hypothesis-seed=N`` fixes the seed; ``CHANGLANG_STATEFUL_EXAMPLES`` and
``CHANGLANG_STATEFUL_STEPS`` run longer.
"""

from __future__ import annotations

import asyncio
import copy
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, update

import schema.sync.operations as operations
from domain.credentials import hash_password
from domain.database import Database, open_database
from domain.models import AccountKind, GridPost, PostRole, RefusedPush, SyncConflict
from domain.personal_data import mask_id_number
from domain.principal import Principal
from domain.services import accounts, grids, households, residents, visits
from domain.services.principals import load_principal
from sync import documents, replication
from sync.collections import COLLECTIONS
from sync.declaration import Field, Kind, Policy, ScopeSpec
from sync.values import canonical
from tests.api_client import Api, api_for
from tests.sync.client import Phone, new_id
from tests.sync.replica import Batch, Doc, Replica
from tests.world import CIPHER, PASSWORD, World, build_world, id_number

T = TypeVar("T")
COLLS = ("household", "resident", "visitNote")  # in push order: a resident needs its household
TAGS = ["高龄老人", "儿童", "困难家庭", "残疾人"]
FORGED_UUID = "00000000-0000-4000-8000-00000000f0f0"
FORGED_ID_NUMBER = id_number(777, "19700101")
FORGED_BIRTH_YEAR = 1901.0  # no seeded resident was born then
FORGED = {FORGED_UUID, FORGED_ID_NUMBER, mask_id_number(FORGED_ID_NUMBER), FORGED_BIRTH_YEAR}
FORGED_STAMP = 9.0e12
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p,
  deviceName: "phone") { __typename ... on AuthSession { accessToken deviceId } } }"""

# Each device: the grid node of its post, where a scope change moves it, its role.
POSTS = (
    ("A", "C", PostRole.MICRO_GRID_MEMBER),
    ("A", "C", PostRole.MICRO_GRID_MEMBER),
    ("R", "R2", PostRole.GRID_CHIEF),
    ("B", "C", PostRole.MICRO_GRID_MEMBER),
    ("C", "A", PostRole.MICRO_GRID_MEMBER),
)
MICRO = {"R": ("A", "B"), "R2": ("C",), "A": ("A",), "B": ("B",), "C": ("C",)}
SEED_HOUSEHOLDS = ("A", "A", "B", "B", "C")


def _examples() -> int:
    return int(os.environ.get("CHANGLANG_STATEFUL_EXAMPLES", "25"))


def _steps() -> int:
    return int(os.environ.get("CHANGLANG_STATEFUL_STEPS", "30"))


# --- the server side of an example -------------------------------------------------------


@dataclass
class Env:
    """What lives for the whole test (one database): the loop, the API, the world."""

    runner: asyncio.Runner
    db: Database
    api: Api
    world: World
    announced: list[dict[str, Any]]
    examples: int = 0
    seen: Counter[str] = field(default_factory=Counter)  # what the histories exercised

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)


@dataclass
class Neighbourhood:
    tag: str
    grids: dict[str, uuid.UUID]
    posts: list[uuid.UUID]
    at: list[str]  # the grid node each device's post is on now
    replicas: list[Replica]
    seeded: dict[str, list[str]] = field(default_factory=dict)


async def build_neighbourhood(env: Env, tag: str, count: int) -> Neighbourhood:
    world, db = env.world, env.db
    admin = Principal(
        account_id=world.accounts["admin"], community_id=world.community, kind=AccountKind.ADMIN
    )
    seeded: dict[str, list[str]] = {name: [] for name in COLLS}
    nodes: dict[str, uuid.UUID] = {}
    posts: list[uuid.UUID] = []
    usernames: list[str] = []
    async with db.transaction() as session:
        for key, parent in (("R", None), ("R2", None), ("A", "R"), ("B", "R"), ("C", "R2")):
            node = await grids.create_grid(
                session, admin, name=f"{tag}-{key}", parent_id=nodes.get(parent or "")
            )
            nodes[key] = node.id
        password_hash = hash_password(PASSWORD)
        for number, (home, _away, role) in enumerate(POSTS[:count]):
            username = f"{tag}-v{number}"
            account = await accounts.create_staff_account(
                session,
                world.community,
                username=username,
                password=PASSWORD,
                display_name=username,
                password_hash=password_hash,
            )
            post = GridPost(
                community_id=world.community, account_id=account.id, grid_id=nodes[home], role=role
            )
            session.add(post)
            await session.flush()
            posts.append(post.id)
            usernames.append(username)
        for number, micro in enumerate(SEED_HOUSEHOLDS):
            household = await households.create_household(
                session,
                admin,
                grid_id=nodes[micro],
                building=f"{tag}-{micro}{number}",
                unit="1",
                room="101",
            )
            seeded["household"].append(str(household.id))
            resident = await residents.create_resident(
                session,
                admin,
                CIPHER,
                household_id=household.id,
                fields={"name": f"住户{number}", "phone": f"1350000{number:04d}", "tags": []},
            )
            seeded["resident"].append(str(resident.id))
            if number in (0, 2):
                note = await visits.write_note(
                    session,
                    admin,
                    note_id=uuid.uuid4(),
                    household_id=household.id,
                    fields={"category": "need", "text": "门口漏水"},
                )
                seeded["visitNote"].append(str(note.id))
    replicas = []
    for username in usernames:
        data = await env.api.ok(LOGIN, {"u": username, "p": PASSWORD})
        session_info = data["login"]
        replicas.append(
            Replica(
                name=username,
                phone=Phone(env.api, session_info["accessToken"]),
                account_id=str(await _account_id(db, username)),
                device_id=session_info["deviceId"],
                collections=COLLS,
            )
        )
    homes = [home for home, _away, _role in POSTS[:count]]
    return Neighbourhood(tag, nodes, posts, homes, replicas, seeded)


async def _account_id(db: Database, username: str) -> uuid.UUID:
    from domain.models import Account

    async with db.read() as session:
        found = await session.scalar(select(Account.id).where(Account.username == username))
    assert found is not None
    return found


async def move_post(db: Database, post: uuid.UUID, grid: uuid.UUID) -> None:
    async with db.transaction() as session:
        await session.execute(update(GridPost).where(GridPost.id == post).values(grid_id=grid))


@dataclass
class ServerState:
    masters: dict[str, dict[str, Doc]]
    duplicates: list[str]
    conflicts: list[SyncConflict]
    refused: list[RefusedPush]


async def server_state(env: Env, hood: Neighbourhood, ids: set[str]) -> ServerState:
    masters: dict[str, dict[str, Doc]] = {}
    duplicates: list[str] = []
    anyone = uuid.UUID(int=0)  # the scope rules read only the grid nodes
    neighbourhood = ScopeSpec(env.world.community, anyone, anyone, frozenset(hood.grids.values()))
    async with env.db.read() as session:
        for name in COLLS:
            collection = COLLECTIONS[name]
            rows = await session.execute(
                documents.statement(collection).where(
                    collection.model.community_id == env.world.community,
                    collection.scope(neighbourhood),
                )
            )
            found: dict[str, Doc] = {}
            for row in rows:
                doc = documents.to_document(collection, row)
                if doc["id"] in found:
                    duplicates.append(f"{name} {doc['id']}")
                found[doc["id"]] = doc
            masters[name] = found
        every = ids | {i for docs in masters.values() for i in docs}
        uuids = [uuid.UUID(i) for i in every]
        conflicts = list(
            await session.scalars(select(SyncConflict).where(SyncConflict.document_id.in_(uuids)))
        )
        refused = list(
            await session.scalars(select(RefusedPush).where(RefusedPush.document_id.in_(every)))
        )
    return ServerState(masters, duplicates, conflicts, refused)


async def reemitted(env: Env, device: Replica, collection: str, ids: list[str]) -> list[Doc]:
    """What the device's stream sends again after its push (``streamX``'s own query)."""
    async with env.db.read() as session:
        principal = await load_principal(
            session, uuid.UUID(device.account_id), uuid.UUID(device.device_id)
        )
    return await replication.documents_by_id(
        env.db, principal, COLLECTIONS[collection], [uuid.UUID(i) for i in ids]
    )


# --- values a phone types ------------------------------------------------------------------


def edits(collection: str, tag: str) -> dict[str, st.SearchStrategy[Any]]:
    if collection == "household":
        return {
            "building": st.sampled_from([f"{tag}-A0", f"{tag}-B2", f"{tag}-X", f"{tag}-Y"]),
            "unit": st.sampled_from(["1", "2", "3"]),
            "room": st.sampled_from(["101", "102", "201", "202"]),
        }
    if collection == "resident":
        return {
            "name": st.sampled_from(["甲", "乙", "丙", "丁"]),
            "phone": st.sampled_from(["13800000001", "13900000002", "13700000003"]),
            "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=3).map(sorted),
            "partyMember": st.booleans(),
        }
    return {
        "category": st.sampled_from(["routine", "need", "care", "other"]),
        "text": st.sampled_from(["门口漏水", "老人独居", "已报修", "需要回访"]),
        "followUp": st.booleans(),
    }


def blank(collection: str, doc_id: str) -> Doc:
    """A document as the app creates it: every field present, server-owned ones unset."""
    doc: Doc = {"id": doc_id}
    for spec in COLLECTIONS[collection].fields:
        doc[spec.wire] = None
    doc["updatedAt"] = None
    doc["deleted"] = False
    return doc


FORGED_VALUES: dict[Kind, Any] = {Kind.TEXT: FORGED_ID_NUMBER, Kind.NUMBER: FORGED_BIRTH_YEAR}


def tampered(collection: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with forged server-owned fields and stamp: a client that misbehaves."""
    forged = copy.deepcopy(rows)
    for row in forged:
        new = row["newDocumentState"]
        for spec in COLLECTIONS[collection].fields:
            if not spec.client_owned:
                new[spec.wire] = FORGED_VALUES.get(spec.kind, FORGED_UUID)
        new["updatedAt"] = FORGED_STAMP
    return forged


def same(spec: Field, left: Any, right: Any) -> bool:
    return bool(canonical(spec.kind, left) == canonical(spec.kind, right))


def holds(spec: Field, master: Any, value: Any, base: Any = None) -> bool:
    """Whether ``master`` keeps the device's intent: a kept-both text contains its text; a
    set merged by union has the tags it added (against its ``base``) and not those it
    removed; any other field equals its value."""
    if spec.policy is Policy.KEEP_BOTH_TEXT and isinstance(master, str):
        return str(canonical(spec.kind, value)) in str(canonical(spec.kind, master))
    if spec.policy is Policy.SET_UNION:
        have, was, now = set(master or ()), set(base or ()), set(value or ())
        return now - was <= have and not (was - now) & have
    return same(spec, master, value)


# --- the model's record of what happened ---------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """A row the server received (heard back or not, original or re-delivered)."""

    device: str
    collection: str
    doc: str
    base: Doc | None
    new: Doc
    known_at: int  # when the device learned ``base``
    at: int


@dataclass
class Obligation:
    """An acknowledged value: it must stay findable (master, inbox or refusal)."""

    device: str
    collection: str
    doc: str
    field: str
    value: Any
    since: int  # the first time any device delivered this value for this field
    at: int
    base: Any = None  # what the device changed it from (a set's additions and removals)
    done: bool = False


class SyncMachine(RuleBasedStateMachine):
    env: ClassVar[Env]

    def __init__(self) -> None:
        super().__init__()
        self.clock = 0
        self.hood: Neighbourhood | None = None
        self.delivered: list[Delivered] = []
        self.obligations: list[Obligation] = []
        self.deletes: list[tuple[str, str, str]] = []  # (device, collection, doc) heard
        self.created: set[str] = set()
        self.rank: dict[str, int] = {}  # ids in the order the history made them
        self.moves = 0
        self.deleted = 0

    # --- helpers ---------------------------------------------------------------------------

    @property
    def devices(self) -> list[Replica]:
        assert self.hood is not None
        return self.hood.replicas

    def _device(self, data: st.DataObject) -> tuple[int, Replica]:
        index = data.draw(st.integers(0, len(self.devices) - 1), label="device")
        return index, self.devices[index]

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def _ids(self) -> set[str]:
        assert self.hood is not None
        seeded = {i for ids in self.hood.seeded.values() for i in ids}
        return seeded | self.created | {d.doc for d in self.delivered}

    def _deliver(self, device: Replica, batch: Batch) -> list[Doc]:
        """Send the batch; the server applies it. Returns its answer (heard or not)."""
        rows = tampered(batch.collection, batch.rows) if batch.tampered else batch.rows
        now = self.tick()
        answers = self.env.run(device.phone.push(batch.collection, copy.deepcopy(rows)))
        for row, known in zip(batch.rows, batch.known_at, strict=True):
            self.delivered.append(
                Delivered(
                    device.name,
                    batch.collection,
                    row["newDocumentState"]["id"],
                    row["assumedMasterState"],
                    row["newDocumentState"],
                    known,
                    now,
                )
            )
        return answers

    def _push(self, device: Replica, batch: Batch, *, heard: bool) -> None:
        mark = len(self.env.announced)
        answers = self._deliver(device, batch)
        if not heard:
            return
        now = self.clock
        device.answered(batch, answers, now)
        self._acknowledge(device, batch, now)
        again = sorted(
            {
                doc_id
                for event in self.env.announced[mark:]
                if event["collection"] == batch.collection
                for doc_id in event["reemit"]
            }
        )
        if again:
            # As ``streamX`` does: it first sends everything past its checkpoint (a scope
            # change's replay included), then the documents to send again, which are read
            # in the scope that checkpoint now speaks for.
            self._pull(device, batch.collection, 50, until_quiet=True)
            docs = self.env.run(reemitted(self.env, device, batch.collection, again))
            now = self.tick()
            for doc in docs:
                device.receive(batch.collection, doc, now)

    def _acknowledge(self, device: Replica, batch: Batch, now: int) -> None:
        collection = COLLECTIONS[batch.collection]
        for row in batch.rows:
            base, new = row["assumedMasterState"], row["newDocumentState"]
            doc_id = new["id"]
            if new.get("deleted"):
                # The delete is what the device meant; field edits made before it on the
                # same document are not held to (the server applies the delete alone).
                if base is not None and not base.get("deleted"):
                    self.deletes.append((device.name, batch.collection, doc_id))
                continue
            for spec in collection.client_fields:
                value = new.get(spec.wire)
                if value is None or (base is not None and same(spec, value, base.get(spec.wire))):
                    continue
                since = min(
                    d.at
                    for d in self.delivered
                    if d.collection == batch.collection
                    and d.doc == doc_id
                    and same(spec, d.new.get(spec.wire), value)
                )
                was = None if base is None else base.get(spec.wire)
                self.obligations.append(
                    Obligation(
                        device.name, batch.collection, doc_id, spec.wire, value, since, now, was
                    )
                )

    def _pull(self, device: Replica, collection: str, limit: int, *, until_quiet: bool) -> int:
        received = 0
        while True:
            page = self.env.run(device.phone.pull(collection, limit))
            now = self.tick()
            for doc in page:
                device.receive(collection, doc, now)
            received += len(page)
            if not until_quiet or len(page) < limit:
                return received

    # --- rules -----------------------------------------------------------------------------

    @initialize(count=st.integers(3, 5))
    def neighbourhood(self, count: int) -> None:
        self.env.examples += 1
        tag = f"s{self.env.examples}{uuid.uuid4().hex[:4]}"
        self.hood = self.env.run(build_neighbourhood(self.env, tag, count))
        for name in COLLS:
            for doc_id in self.hood.seeded[name]:
                self.rank[doc_id] = len(self.rank)
        for device in self.devices:
            device.rank = self.rank
        for device in self.devices:
            for name in COLLS:
                self._pull(device, name, 50, until_quiet=True)

    @rule(data=st.data())
    def edit_offline(self, data: st.DataObject) -> None:
        assert self.hood is not None
        _, device = self._device(data)
        name = data.draw(st.sampled_from(COLLS), label="collection")
        live = device.live(name)
        if not live:
            return
        doc = copy.deepcopy(device.docs[name][data.draw(st.sampled_from(live), label="doc")])
        choices = edits(name, self.hood.tag)
        # Each field on its own coin, so that no field is favoured by generation order.
        fields = [wire for wire in sorted(choices) if data.draw(st.booleans(), label=wire)]
        if not fields:
            fields = [data.draw(st.sampled_from(sorted(choices)), label="field")]
        for wire in fields:
            doc[wire] = data.draw(choices[wire], label=wire)
        device.write(name, doc)

    @rule(data=st.data())
    def create_offline(self, data: st.DataObject) -> None:
        assert self.hood is not None
        index, device = self._device(data)
        name = data.draw(st.sampled_from(COLLS), label="collection")
        doc = blank(name, new_id())
        if name == "household":
            micro = data.draw(st.sampled_from(MICRO[self.hood.at[index]]), label="micro")
            doc["gridId"] = str(self.hood.grids[micro])
        else:
            homes = device.live("household")
            if not homes:
                return
            doc["householdId"] = data.draw(st.sampled_from(homes), label="household")
        if name == "resident":
            doc["tags"], doc["partyMember"] = [], False
        for wire, values in edits(name, self.hood.tag).items():
            doc[wire] = data.draw(values, label=wire)
        self.created.add(doc["id"])
        self.rank[doc["id"]] = len(self.rank)
        device.write(name, doc)

    @precondition(lambda self: self.deleted < 3)  # deleting often leaves nothing to edit
    @rule(data=st.data())
    def delete_offline(self, data: st.DataObject) -> None:
        _, device = self._device(data)
        name = data.draw(st.sampled_from(COLLS), label="collection")
        live = device.live(name)
        if not live:
            return
        doc = copy.deepcopy(device.docs[name][data.draw(st.sampled_from(live), label="doc")])
        doc["deleted"] = True
        self.deleted += 1
        device.write(name, doc)

    @rule(
        data=st.data(),
        outcome=st.sampled_from(["heard", "answer lost", "answer lost, retried"]),
        tamper=st.booleans(),
    )
    def push(self, data: st.DataObject, outcome: str, tamper: bool) -> None:
        busy = [device for device in self.devices if device.any_dirty()]
        if not busy:
            return
        device = data.draw(st.sampled_from(busy), label="device")
        pending = [name for name in COLLS if device.dirty(name)]
        name = data.draw(st.sampled_from(pending), label="collection")
        batch = device.batch(name)
        batch.tampered = tamper
        self.env.seen[f"push ({outcome})"] += 1
        device.sent.append(batch)
        self._push(device, batch, heard=outcome == "heard")
        if outcome == "answer lost, retried":
            retry = device.batch(name)  # the client rebuilds the rows from its state
            device.sent.append(retry)
            self._push(device, retry, heard=True)

    @rule(data=st.data())
    def deliver_again(self, data: st.DataObject) -> None:
        """An earlier push arrives again (duplicated, or late after newer ones): unheard."""
        senders = [device for device in self.devices if device.sent]
        if not senders:
            return
        device = data.draw(st.sampled_from(senders), label="device")
        back = data.draw(st.integers(1, min(4, len(device.sent))), label="batches back")
        self.env.seen["delivered again" if back == 1 else "delivered late"] += 1
        self._deliver(device, device.sent[-back])

    @rule(data=st.data(), limit=st.sampled_from([1, 3, 50]), until_quiet=st.booleans())
    def pull(self, data: st.DataObject, limit: int, until_quiet: bool) -> None:
        _, device = self._device(data)
        name = data.draw(st.sampled_from(COLLS), label="collection")
        self._pull(device, name, limit, until_quiet=until_quiet)

    @rule(data=st.data())
    def come_online(self, data: st.DataObject) -> None:
        """The phone gets signal: it pushes what it has, then pulls until quiet."""
        _, device = self._device(data)
        self.env.seen["came online"] += 1
        for name in COLLS:
            batch = device.batch(name)
            if batch.rows:
                device.sent.append(batch)
                self._push(device, batch, heard=True)
        for name in COLLS:
            self._pull(device, name, 50, until_quiet=True)

    @precondition(lambda self: self.moves < 3)
    @rule(data=st.data())
    def move_to_another_grid_and_back(self, data: st.DataObject) -> None:
        assert self.hood is not None
        self.moves += 1
        index, _device = self._device(data)
        home, away, _role = POSTS[index]
        target = away if self.hood.at[index] == home else home
        self.hood.at[index] = target
        self.env.seen["post moved"] += 1
        self.env.run(move_post(self.env.db, self.hood.posts[index], self.hood.grids[target]))

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def acknowledged_writes_are_kept(self) -> None:
        assert self.hood is not None
        state = self.env.run(server_state(self.env, self.hood, self._ids()))
        assert not state.duplicates, f"duplicated documents: {state.duplicates}"
        known = self._ids()
        for name, masters in state.masters.items():
            phantom = set(masters) - known
            assert not phantom, f"{name}: documents nobody created: {phantom}"
            for doc in masters.values():
                for spec in COLLECTIONS[name].fields:
                    if not spec.client_owned:
                        assert doc[spec.wire] not in FORGED, (
                            f"{name} {doc['id']}: a device's value for server-owned "
                            f"{spec.wire}: {doc[spec.wire]!r}"
                        )
                assert doc["updatedAt"] < FORGED_STAMP, f"{name} {doc['id']}: a device's stamp"
        for device, name, doc_id in self.deletes:
            master = state.masters[name].get(doc_id)
            refused = any(
                r.collection == name
                and r.document_id == doc_id
                and r.row["newDocumentState"].get("deleted")
                for r in state.refused
            )
            assert refused or (master is not None and master["deleted"]), (
                f"{name} {doc_id}: deleted by {device} (acknowledged) but back: {master}"
            )
        for obligation in self.obligations:
            if not obligation.done:
                self._check(obligation, state)

    def _check(self, o: Obligation, state: ServerState) -> None:
        spec = COLLECTIONS[o.collection].field(o.field)
        master = state.masters[o.collection].get(o.doc)
        if master is not None and holds(spec, master[o.field], o.value, o.base):
            return
        in_inbox = any(
            c.collection == o.collection
            and str(c.document_id) == o.doc
            and c.field == o.field
            and (same(spec, c.device_value, o.value) or same(spec, c.server_value, o.value))
            for c in state.conflicts
        )
        in_refusals = any(
            r.collection == o.collection
            and r.document_id == o.doc
            and same(spec, r.row["newDocumentState"].get(o.field), o.value)
            for r in state.refused
        )
        superseded = any(
            d.collection == o.collection
            and d.doc == o.doc
            and d.base is not None
            and holds(spec, d.base.get(o.field), o.value, o.base)
            and not holds(spec, d.new.get(o.field), o.value, o.base)
            and d.known_at >= o.since
            for d in self.delivered
        )
        if in_inbox or in_refusals or superseded:
            o.done = True
            kept = "inbox" if in_inbox else "refusal" if in_refusals else "superseded"
            self.env.seen[f"acknowledged value kept by {kept}"] += 1
            return
        history = "\n  ".join(
            f"t={d.at} {d.device} base[{o.field}]={(d.base or {}).get(o.field)!r} (known t="
            f"{d.known_at}) -> {d.new.get(o.field)!r} deleted={d.new.get('deleted')}"
            for d in self.delivered
            if d.collection == o.collection and d.doc == o.doc
        )
        raise AssertionError(
            f"lost: {o.device}'s {o.collection} {o.doc} {o.field}={o.value!r} (acknowledged "
            f"t={o.at}, first sent t={o.since}); master has "
            f"{master[o.field] if master else None!r}; not in the inbox or refusals.\n"
            f"  deliveries of this document:\n  {history}"
        )

    # --- the end: everyone syncs -----------------------------------------------------------

    def teardown(self) -> None:
        if self.hood is not None and sys.exc_info()[0] is None:
            self.everyone_syncs_until_quiet()

    def everyone_syncs_until_quiet(self) -> None:
        for _round in range(6):
            for device in self.devices:
                for name in COLLS:
                    batch = device.batch(name)
                    if batch.rows:
                        device.sent.append(batch)
                        self._push(device, batch, heard=True)
            received = sum(
                self._pull(device, name, 50, until_quiet=True)
                for device in self.devices
                for name in COLLS
            )
            if received == 0 and not any(device.any_dirty() for device in self.devices):
                break
        else:
            raise AssertionError("the devices did not settle after six rounds of syncing")
        self.env.seen["acknowledged values"] += len(self.obligations)
        self.env.seen["acknowledged deletes"] += len(self.deletes)
        assert self.hood is not None
        final = self.env.run(server_state(self.env, self.hood, self._ids()))
        self.env.seen["inbox entries"] += len(final.conflicts)
        self.env.seen["refused rows"] += len(final.refused)
        for refusal in final.refused:
            self.env.seen[f"refused {refusal.collection}: {refusal.code}"] += 1
        self.acknowledged_writes_are_kept()
        for device in self.devices:
            for name in COLLS:
                fresh = self.env.run(Phone(self.env.api, device.phone.token).pull_all(name, 50))
                ids = [doc["id"] for doc in fresh]
                assert len(ids) == len(set(ids)), f"{name}: a full pull repeats documents"
                server = {doc["id"]: doc for doc in fresh if not doc["deleted"]}
                mine = {i: doc for i, doc in device.docs[name].items() if not doc.get("deleted")}
                assert not set(mine) - set(server), (
                    f"{device.name} holds {name} the server would not give it: "
                    f"{ {i: mine[i] for i in set(mine) - set(server)} }"
                )
                assert not set(server) - set(mine), (
                    f"{device.name} lacks {name}: {set(server) - set(mine)}"
                )
                for doc_id, doc in server.items():
                    assert mine[doc_id] == doc, (
                        f"{device.name}'s {name} {doc_id} differs from the server's:\n"
                        f"  device {mine[doc_id]}\n  server {doc}"
                    )


SETTINGS = settings(
    max_examples=_examples(),
    phases=list(Phase)
    if os.environ.get("CHANGLANG_STATEFUL_SHRINK", "1") != "0"
    else [Phase.generate],
    stateful_step_count=_steps(),
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_offline_phones_never_lose_an_acknowledged_write_and_converge(
    database_url: str, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[dict[str, Any]] = []
    announce = operations.announce

    async def recording(
        info: Any, community_id: uuid.UUID, collection: str, reemit: Any = (), **more: Any
    ) -> None:
        reemit = sorted(str(i) for i in reemit)
        announced.append({"collection": collection, "reemit": reemit})
        await announce(info, community_id, collection, [uuid.UUID(i) for i in reemit], **more)

    monkeypatch.setattr(operations, "announce", recording)
    started = time.perf_counter()
    with asyncio.Runner() as runner:
        db = open_database(database_url)
        api = api_for(db)
        try:
            world = runner.run(build_world(db))
            env = Env(runner, db, api, world, announced)
            machine = type("SyncMachine", (SyncMachine,), {"env": env})
            run_state_machine_as_test(machine, settings=SETTINGS)
        finally:
            runner.run(api.client.aclose())
            runner.run(db.dispose())
    print(
        f"\n[{dialect}] stateful sync: {env.examples} examples in "
        f"{time.perf_counter() - started:.1f}s; "
        + ", ".join(f"{key}: {count}" for key, count in sorted(env.seen.items()))
    )


# --- what the machine found, pinned down ---------------------------------------------------


async def test_a_volunteer_moved_away_and_back_before_the_replay_ended_gets_the_grid_back(
    api: Api, world: World, database: Database
) -> None:
    """Found by the machine: a replay interrupted by a second move restarted as if the phone
    still held its old grid, though the first pages had already removed part of it (and the
    client ignores the checkpoint of an empty last page, so a finished replay can look
    interrupted too)."""
    from tests.sync.seed import add_households
    from tests.sync.seed import move_post as move

    await add_households(database, world, "M1a", 6, residents=0)
    await add_households(database, world, "M2a", 2, residents=0, prefix="N")
    phone = Phone(api, await api.login("member1a"))
    held = {doc["id"] for doc in await phone.pull_all("household", limit=50)}
    await move(database, world, "member1a", "M2a")
    for doc in await phone.pull("household", limit=4):  # the replay's first page only
        (held.discard if doc["deleted"] else held.add)(doc["id"])
    await move(database, world, "member1a", "M1a")  # back before the replay ended
    for doc in await phone.pull_all("household", limit=4):
        (held.discard if doc["deleted"] else held.add)(doc["id"])
    fresh = Phone(api, phone.token)
    expected = {doc["id"] for doc in await fresh.pull_all("household") if not doc["deleted"]}
    assert held == expected and len(expected) == 8  # M1a's six and the world's H1a, H1a2


async def test_a_household_created_under_a_new_post_before_pulling_leaves_when_moved_back(
    api: Api, world: World, database: Database
) -> None:
    """Found by the machine: a phone reassigned before it pulled pushed into its new grid
    while its checkpoint still spoke for the old one; moved back, it kept the document."""
    from tests.sync.seed import move_post as move

    phone = Phone(api, await api.login("member1a"))
    held = {doc["id"] for doc in await phone.pull_all("household", limit=50)}
    await move(database, world, "member1a", "M2a")  # reassigned; the phone has not pulled
    created = {
        **blank("household", new_id()),
        "gridId": str(world.grids["M2a"]),
        "building": "新楼",
        "unit": "1",
        "room": "101",
    }
    assert (
        await phone.push("household", [{"assumedMasterState": None, "newDocumentState": created}])
        == []
    )
    held.add(created["id"])  # stored as sent
    await move(database, world, "member1a", "M1a")  # back before its next pull
    for doc in await phone.pull_all("household", limit=50):
        (held.discard if doc["deleted"] else held.add)(doc["id"])
    fresh = Phone(api, phone.token)
    expected = {doc["id"] for doc in await fresh.pull_all("household") if not doc["deleted"]}
    assert held == expected
