"""The base of the screens' WebSocket consumers: thin — authorise, parse, call a service, answer.

The screens themselves (tablet, console, projector) are meeting's (meeting.consumers): they say
who may connect, which groups they join and who they act as. What a screen may send and what its
snapshot holds come from the apps' registrations (realtime.registry).

A consumer is not a member of any channel-layer group and has no channel of its own: the
process fan-out (realtime.fanout) hands it the frames of the groups it joined.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from functools import cache, partial
from typing import Any

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from realtime import (
    batches,
    convergence,  # noqa: F401  (registers its heartbeat)
    registry,
)
from realtime import commands as command_handlers
from realtime.envelope import Command, MalformedMessage, decode_command, encode
from realtime.errors import AccessRevoked, ServiceError
from realtime.fanout import process_fanout
from realtime.outbound import QueuedSendMixin

logger = logging.getLogger(__name__)


class ScreenConsumer(QueuedSendMixin, AsyncWebsocketConsumer):
    # Deliberately no channel layer per connection: fan-out is one receiver per process.
    channel_layer_alias = "chamber.no-channel-per-connection"
    screen = "screen"

    joined: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        # A consumer that fails (an exception, a cancelled task) gets no websocket.disconnect:
        # clean up here too, so it never stays in the fan-out nor keeps its presence.
        try:
            await self.run_cut_off_aware(super().__call__(scope, receive, send))
        finally:
            await asyncio.shield(self._clean_up())

    async def connect(self) -> None:
        self.connection_id = uuid.uuid4().hex
        self.joined = []
        self.ready = False
        self.last_seq = -1
        self.pending: list[tuple[str, int | None]] = []
        self.language = self._language()
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        failure = await self.authorise()
        # Accept first, then close: a WebSocket close code can only follow a handshake.
        await self.accept()
        if failure is not None:
            await self.close(code=failure)
            return
        self.start_outbound()
        self.fanout = process_fanout()
        self.joined = self.fanout_groups()
        await self.fanout.join(self, self.joined)
        refused = await self.on_joined()
        if refused is not None:
            # Nothing reached the socket yet (frames wait for the snapshot): just close.
            await self.close(code=refused)
            return
        await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        await self._clean_up()

    async def _clean_up(self) -> None:
        """Leave the fan-out and record the departure, once, however the connection ended."""
        if self.outbound is not None:
            self.outbound.stop()
        if self.joined:
            joined, self.joined = self.joined, []
            try:
                await self.fanout.leave(self, joined)
            finally:
                await self.on_left()

    # -- what each screen defines --------------------------------------------------------
    async def authorise(self) -> int | None:
        raise NotImplementedError

    def fanout_groups(self) -> list[str]:
        raise NotImplementedError

    def viewer(self) -> registry.Viewer:
        """Who this screen's snapshot is for (in the database thread)."""
        raise NotImplementedError

    def snapshot(self) -> dict:
        return registry.snapshot(self.viewer())

    def actor(self):
        raise NotImplementedError

    def recheck(self) -> None:
        """Before each command, in the database thread: raise AccessRevoked if the credential
        the socket was opened with no longer holds (issue 10 items 14, 15)."""

    @classmethod
    def recheck_many(cls, screens: list[ScreenConsumer]) -> list[AccessRevoked | None]:
        """``recheck`` of many screens before a batch of their commands: the refusal of each,
        or None. A screen whose check is a query overrides this with one query for all."""
        refusals: list[AccessRevoked | None] = []
        for screen in screens:
            try:
                screen.recheck()
                refusals.append(None)
            except AccessRevoked as refused:
                refusals.append(refused)
        return refusals

    async def on_joined(self) -> int | None:
        """After joining the fan-out, before the snapshot: None, or a close code (a
        credential found revoked by the write the arrival makes anyway)."""
        return None

    async def on_left(self) -> None:
        pass

    # -- frames from the process fan-out ----------------------------------------------------
    def deliver(self, text: str, seq: int | None) -> None:
        if not self.ready:
            self.pending.append((text, seq))
        elif seq is None or seq > self.last_seq:
            # An event that committed before the snapshot was read but arrives after it is
            # already in the snapshot: never let it move the screen back.
            self.last_seq = seq if seq is not None else self.last_seq
            # Straight into the outbound queue (started before the screen joined the fan-out).
            self.outbound.put(text)

    async def close_by_server(self, code: int) -> None:
        await self.close(code=code)

    def hold(self) -> None:
        self.ready = False

    async def resync(self) -> None:
        if self.joined:
            await self.send_snapshot()

    async def send_snapshot(self, command_id: str | int | None = None) -> None:
        """Send a snapshot, then the events that arrived while it was built and are newer."""
        self.ready = False
        try:
            data, seq = await self._build_snapshot()
        except BaseException:
            await self._flush_pending()  # no snapshot: the screen keeps its own, events go on
            raise
        await self.send(text_data=encode(type="snapshot", id=command_id, seq=seq, data=data))
        self.last_seq = seq
        await self._flush_pending()

    async def _flush_pending(self) -> None:
        while self.pending:
            text, event_seq = self.pending.pop(0)
            if event_seq is None or event_seq > self.last_seq:
                self.last_seq = event_seq if event_seq is not None else self.last_seq
                await self.send(text_data=text)
        self.ready = True

    @database_sync_to_async
    def _build_snapshot(self) -> tuple[dict, int]:
        with translation.override(self.language):
            data = self.snapshot()
        return data, data.pop("seq")

    # -- commands --------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        """Every command gets exactly one answer, ``ack`` or ``error``, even when the server
        fails inside it; the socket stays open."""
        with translation.override(self.language):
            try:
                command = decode_command(text_data)
            except MalformedMessage as refused:
                await self.send_error(refused.command_id, refused.code, refused.message)
                return
        try:
            await self._answer(command)
        except DataError:
            # A value the database cannot hold (a number out of a column's range): the
            # transaction rolled back, nothing was written.
            with translation.override(self.language):
                message = _("Tin nhắn có giá trị nằm ngoài phạm vi cho phép.")
            await self.send_error(command.id, "message.malformed", message)
        except Exception as error:
            if command_handlers.gave_up_waiting(error):
                # A lock held too long (a frozen worker): nothing written, say so plainly.
                logger.warning("command %s (id %r): %s", command.type, command.id, error)
                with translation.override(self.language):
                    message = command_handlers.server_busy_message()
                await self.send_error(command.id, "server.busy", message, retryable=True)
                return
            logger.exception(
                "command %s (id %r) failed inside the server", command.type, command.id
            )
            with translation.override(self.language):
                message = command_handlers.server_error_message()
            await self.send_error(command.id, "server.error", message, retryable=True)

    async def _answer(self, command: Command) -> None:
        with translation.override(self.language):
            if command.type == "ping":
                await self.send_ack(command.id, {})  # a cheap liveness check, no database
                return
            if command.type == "snapshot.request":
                await self.send_snapshot(command.id)
                await self.send_ack(command.id, {})
                return
            spec = registry.command_of(self.screen, command.type)
            if spec is None:
                if command.type in registry.command_types():
                    code, message = "command.forbidden", _("Màn hình này không được gửi lệnh này.")
                else:
                    code, message = "command.unknown", _("Lệnh không được hỗ trợ.")
                await self.send_error(command.id, code, message)
                return
        try:
            result = await self._execute(command, spec)
        except ServiceError as refused:
            await self.send_error(command.id, refused.code, refused.message)
            if isinstance(refused, AccessRevoked):
                await self.close(code=refused.close_code)
            return
        await self.send_ack(command.id, result)
        if spec.after is not None:
            try:
                spec.after(result)
            except Exception:  # answered already: what follows a command never undoes it
                logger.exception("after %s (id %r) failed", command.type, command.id)

    async def _execute(self, command: Command, spec: registry.CommandSpec) -> dict:
        if spec.batch is not None:
            # Written with the same command of this process's other screens (group commit):
            # answered once that batch has committed.
            queue = batches.group_commit(
                ("command", spec.type, spec.screen), _batch_writer(spec), isolate=_one_of_them
            )
            return await queue.submit((self, command))
        # Ballots are independent transactions (the poll row is only share-locked): run them
        # on the thread pool so a storm does not queue in the one thread that serves the
        # console's commands and snapshots (bench/RESULTS.md, "Ballots", "Closing").
        run = DatabaseSyncToAsync(self._execute_sync, thread_sensitive=not spec.parallel)
        return await run(command, spec)

    def _execute_sync(self, command: Command, spec: registry.CommandSpec) -> dict:
        return command_handlers.retry_if_disconnected(
            lambda: self._execute_once(command, spec), what=f"{command.type} {command.id!r}"
        )

    def _execute_once(self, command: Command, spec: registry.CommandSpec) -> dict:
        with translation.override(self.language):
            self.recheck()
            context = self.context(command)
            return command_handlers.execute_once(
                context=context,
                command_type=command.type,
                command_id=command.key,
                run=lambda: spec.handler(context, command.data),
                self_idempotent=spec.self_idempotent,
            )

    def context(self, command: Command) -> command_handlers.Context:
        return command_handlers.Context(
            session_id=self.session_id,
            actor=self.actor(),
            command_id=command.key,
            origin=self._origin(),
        )

    async def send_ack(self, command_id: str | int | None, data: dict[str, Any]) -> None:
        await self.send(text_data=encode(type="ack", id=command_id, seq=None, data=data))

    async def send_error(
        self, command_id: str | int | None, code: str, message: str, *, retryable: bool = False
    ) -> None:
        data = {"code": code, "message": message}
        if retryable:
            data["retryable"] = True
        await self.send(text_data=encode(type="error", id=command_id, seq=None, data=data))

    def _origin(self) -> str:
        """The page's origin (checked against ALLOWED_HOSTS at the handshake)."""
        headers = dict(self.scope.get("headers", []))
        return headers.get(b"origin", b"").decode("latin-1")

    def _language(self) -> str:
        """As the page chose it: the language cookie, else the browser's Accept-Language."""
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        headers = dict(self.scope.get("headers", []))
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        for code, _quality in parse_accept_lang_header(accept):
            base = code.split("-")[0].lower()
            if base in supported:
                return base
        return settings.LANGUAGE_CODE


@cache
def _batch_writer(spec: registry.CommandSpec) -> batches.Write:
    return database_sync_to_async(partial(_run_batch, spec), thread_sensitive=False)


def _run_batch(spec: registry.CommandSpec, items: list[tuple[ScreenConsumer, Command]]) -> list:
    """A batch of one command type from many screens, in the database thread: an outcome for
    each, in order (the ack's data, or what that command alone is answered with).

    Each language's commands are one call of the batch handler (its refusals are worded in
    the screens' language), retried once on a new connection if the database dropped it.
    """
    outcomes: list = [None] * len(items)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, (screen, _command) in enumerate(items):
        by_language[screen.language].append(i)
    for language, indexes in by_language.items():
        with translation.override(language):
            done = command_handlers.retry_if_disconnected(
                lambda indexes=indexes: _run_batch_once(spec, [items[i] for i in indexes]),
                what=f"{spec.type} ×{len(indexes)}",
            )
        for i, outcome in zip(indexes, done, strict=True):
            outcomes[i] = outcome
    return outcomes


def _run_batch_once(spec: registry.CommandSpec, items: list[tuple[ScreenConsumer, Command]]):
    screens = [screen for screen, _command in items]
    outcomes: list = type(screens[0]).recheck_many(screens)
    ready = [i for i, refused in enumerate(outcomes) if refused is None]
    if ready:
        commands = [(items[i][0].context(items[i][1]), items[i][1].data) for i in ready]
        for i, outcome in zip(ready, spec.batch(commands), strict=True):
            outcomes[i] = outcome
    return outcomes


def _one_of_them(error: BaseException) -> bool:
    """Whether a failed batch may have failed for one command's sake (then each is run
    alone), rather than the database's (then the whole batch gets the error)."""
    return not isinstance(error, OperationalError | InterfaceError)
