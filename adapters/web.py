"""The web app: one factory, `create_app(settings)`, and `serve()` for `python app.py serve`.

Routes
    POST /api/messages   Bot Framework (Teams, the Agents Playground): botbuilder's CloudAdapter,
                         authenticated with MicrosoftAppId/Password/TenantId/Type. Anonymous
                         only when no app id is configured, and the server says so loudly.
    POST /api/slack      Slack Events API and interactivity (see `adapters.slack`).
    GET  /healthz        the process is up.
    GET  /readyz         the database answers.

Everything with a lifetime (the runtime with its database engine, the adapters, the
Slack background turns, the alert dispatcher) is created and closed in one
`cleanup_ctx`, and shared through typed `web.AppKey`s, never module globals.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
import os
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.core import BotAdapter, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from sqlalchemy import text

from adapters import activity_shape, json_body
from adapters.bot_tokens import TokenValidator, Unauthorized
from adapters.client_cache import CachingBotFrameworkAuthentication
from adapters.openid_keys import KeysUnavailable, OpenIdKeys
from adapters.rendering import renderer_for
from adapters.reply_transport import AiohttpTransport
from adapters.schools import SchoolDirectory, SchoolGate
from adapters.slack import SLACK_API, SlackEndpoint, build_slack_adapter
from adapters.slack_private_line import SlackPrivateLine
from adapters.teams import ChannelBot
from adapters.teams_private_line import TeamsPrivateLine
from adapters.token_authentication import TokenAuthentication
from adapters.workers import LOG_FORMAT, serve_workers
from bot.safe_logging import describe_failure
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # a Teams message is at most ~28 KB; 1 MiB leaves room and stops abuse

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Any)  # bot.runtime.Runtime: .bot, .sessions, .engine, .storage, close()
BOT = web.AppKey("bot", ChannelBot)
BOT_FRAMEWORK_ADAPTER = web.AppKey("bot_framework_adapter", CloudAdapter)
SLACK_ENDPOINT = web.AppKey("slack_endpoint", Any)  # SlackEndpoint, or None when Slack is not configured
# Channel id -> adapter, for proactive messages (`continue_conversation`) by the alert dispatcher.
ADAPTERS = web.AppKey("adapters", dict)
DISPATCHER_TASK = web.AppKey("dispatcher_task", Any)
TOKEN_VALIDATOR = web.AppKey("token_validator", Any)  # adapters.bot_tokens.TokenValidator, None when anonymous

ANONYMOUS_WARNING = """
********************************************************************************
* WARNING: MicrosoftAppId is not set, so /api/messages accepts UNAUTHENTICATED  *
* requests. That is only for local testing (the Agents Playground). Set         *
* MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId before anyone   *
* can reach this server.                                                        *
********************************************************************************"""


def bot_framework_auth(settings: Settings) -> ConfigurationBotFrameworkAuthentication:
    config = SimpleNamespace(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        APP_TYPE=settings.microsoft_app_type,
    )
    return ConfigurationBotFrameworkAuthentication(config)


def token_validator(settings: Settings) -> TokenValidator | None:
    """None in anonymous mode (no app id); otherwise a validator with its own key caches."""
    if not settings.microsoft_app_id:
        return None
    return TokenValidator(
        settings.microsoft_app_id,
        OpenIdKeys(settings.bot_openid_metadata_url),
        OpenIdKeys(settings.emulator_openid_metadata_url),
    )


DATABASE_DOWN = (
    "Sorry, I couldn't save that just now: the system isn't answering. "
    "Please try again in a minute. If a child is in immediate danger, call 999."
)


def _database_failure(error: BaseException) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.persistence.storage import StorageUnavailable

    return isinstance(error, (SQLAlchemyError, StorageUnavailable, ConnectionRefusedError))


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """The member of staff hears that it failed; the log gets the type, never what they typed."""
    # Where it failed (the frames), never the exception's message: messages can quote what was typed
    # (e.g. "invalid literal for int(): '<the answer>'") or SQL parameters.
    log.error("turn failed: %s", describe_failure(error))
    try:
        if _database_failure(error):  # say plainly it wasn't saved, never leave them guessing
            await context.send_activity(DATABASE_DOWN)
            return
        await context.send_activity(
            "Sorry, something went wrong and I couldn't finish that. "
            "Please try again in a minute. If a child is in immediate danger, call 999."
        )
    except Exception:  # noqa: BLE001 - the channel itself may be what failed
        log.error("could not tell the user about the failure")


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


async def build_default_runtime(settings: Settings):
    from bot.runtime import build_runtime  # DIALOGS owner's factory: storage, dialogs, the AssistantBot

    return await _maybe_await(build_runtime(settings, renderer_for))


def start_dispatcher(app: web.Application) -> asyncio.Task:
    """The outbox dispatcher (bot.alerts.dispatcher) delivers DSL alerts through this server's own adapters."""
    from adapters.senders import build_senders
    from bot.runtime import build_dispatcher

    adapters = app[ADAPTERS]
    settings = app[SETTINGS]
    senders = build_senders(settings, cloud_adapter=adapters["msteams"], slack_adapter=adapters.get("slack"))
    dispatcher = build_dispatcher(app[RUNTIME].sessions, senders, settings=settings, renderer_for=renderer_for)
    return asyncio.create_task(dispatcher.run_forever(), name="alert-dispatcher")


def runtime_context(runtime=None, slack_api_url: str = SLACK_API, dispatcher: bool = True):
    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        owned = runtime is None
        app[RUNTIME] = await build_default_runtime(settings) if owned else runtime
        if not settings.microsoft_app_id:
            log.warning(ANONYMOUS_WARNING)
        gate = SchoolGate(SchoolDirectory(app[RUNTIME].sessions, settings.default_school), renderer_for)
        app[BOT] = ChannelBot(
            app[RUNTIME].bot,
            gate,
            private_lines={"msteams": TeamsPrivateLine(settings.microsoft_app_id), "slack": SlackPrivateLine()},
        )
        transport = AiohttpTransport()  # replies and alerts over aiohttp, not requests in a thread
        validator = token_validator(settings)  # incoming tokens checked off botbuilder's blocking path
        app[TOKEN_VALIDATOR] = validator
        authentication = TokenAuthentication(bot_framework_auth(settings), validator)
        cloud = CloudAdapter(CachingBotFrameworkAuthentication(authentication, transport=transport))
        cloud.on_turn_error = on_turn_error
        app[BOT_FRAMEWORK_ADAPTER] = cloud
        adapters: dict[str, BotAdapter] = {"msteams": cloud, "emulator": cloud, "webchat": cloud}
        slack = None
        if settings.slack_signing_secret and settings.slack_bot_token:
            slack_adapter = build_slack_adapter(
                settings.slack_signing_secret, settings.slack_bot_token, slack_api_url, on_turn_error=on_turn_error
            )
            slack = SlackEndpoint(slack_adapter, settings.slack_signing_secret, app[RUNTIME].sessions, app[BOT].on_turn)
            adapters["slack"] = slack_adapter
        app[SLACK_ENDPOINT] = slack
        app[ADAPTERS] = adapters
        app[DISPATCHER_TASK] = start_dispatcher(app) if dispatcher else None
        try:
            yield
        finally:
            task = app[DISPATCHER_TASK]
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            if slack is not None:
                await slack.drain()
            await transport.close()
            if validator is not None:
                await validator.channel_keys.close()
                await validator.emulator_keys.close()
            if owned:
                await _maybe_await(app[RUNTIME].close())

    return context


async def messages(request: web.Request) -> web.Response:
    """Bot Framework activities. Whatever arrives, the answer is a status code and one line, never a 500.

    The body is parsed here (depth-limited, text made storable: adapters.json_body) and checked
    for the fields a reply needs (adapters.activity_shape) before the token is checked and
    before any turn starts; botbuilder's CloudAdapter.process would parse it again unchecked."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        return web.json_response({"error": "Content-Type must be application/json"}, status=415)
    try:
        body = json_body.loads(await request.read())
    except json_body.BadJson as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if problem := activity_shape.problem(body):
        return web.json_response({"error": problem}, status=400)
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # noqa: BLE001 - msrest raises many types for a value of the wrong shape
        log.warning("rejected a malformed activity: %s", type(exc).__name__)
        return web.json_response({"error": "malformed activity"}, status=400)
    app = request.app
    try:
        invoke = await app[BOT_FRAMEWORK_ADAPTER].process_activity(
            request.headers.get("Authorization", ""), activity, app[BOT].on_turn
        )
    except Unauthorized as exc:  # one line, the reason only: never the token
        log.warning("refused a Bot Framework request: %s", exc)
        return web.json_response({"error": "unauthorized"}, status=401)
    except KeysUnavailable:
        log.warning("refused a Bot Framework request: signing keys not fetched yet")
        return web.json_response(
            {"error": "cannot check the token yet; try again shortly"}, status=503, headers={"Retry-After": "5"}
        )
    except PermissionError:
        return web.json_response({"error": "unauthorized"}, status=401)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # an activity botbuilder cannot route
        log.warning("rejected a malformed activity: %s", type(exc).__name__)
        return web.json_response({"error": "malformed activity"}, status=400)
    if invoke:
        return web.json_response(data=serializer_helper(invoke.body), status=invoke.status)
    return web.Response(status=201)


async def slack_events(request: web.Request) -> web.Response:
    endpoint = request.app[SLACK_ENDPOINT]
    if endpoint is None:
        return web.json_response(
            {"error": "Slack is not configured (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN)"}, status=503
        )
    return await endpoint.handle(request)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    try:
        async with request.app[RUNTIME].engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readyz: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ready", "database": "ok"})


def create_app(
    settings: Settings, runtime=None, *, slack_api_url: str = SLACK_API, dispatcher: bool = True
) -> web.Application:
    """The whole web app. Pass `runtime` to serve a bot built elsewhere (tests); it is not closed here."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(runtime_context(runtime, slack_api_url, dispatcher))
    app.router.add_post("/api/messages", messages)
    app.router.add_post("/api/slack", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def serve(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    *,
    workers: int | None = None,
    as_worker: bool = False,
) -> int:
    """The server in this process, or (workers > 1) a parent of worker processes (adapters.workers),
    each of which calls this with `as_worker` and shares the port."""
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    if not as_worker and workers > 1:
        return serve_workers(settings, host, port, workers)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    log.info(
        "%s on http://%s:%s (Bot Framework: /api/messages, Slack: /api/slack)",
        f"worker {os.getpid()} serving" if as_worker else "serving",
        host,
        port,
    )
    app = create_app(settings)
    app.on_startup.append(_freeze_startup_objects)  # after the runtime is built (cleanup_ctx runs first)
    web.run_app(app, host=host, port=port, reuse_port=as_worker or None, print=None)
    return 0


async def _freeze_startup_objects(_app: web.Application) -> None:
    """Keep the garbage collector's full passes off what lives as long as the server.

    The policies, the matcher's indexes, the catalog and the libraries are hundreds of
    thousands of objects made at start-up and never freed; every full collection walked
    them all, pausing the worker for 90-120 ms several times a minute under load (the load
    benchmark's worst turns). `gc.freeze()` (the standard library's answer for servers)
    moves them out of the collector's sight; later garbage is collected as usual."""
    gc.collect()
    gc.freeze()
