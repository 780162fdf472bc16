"""asyncio adaptor: EDHOC over CoAP with aiocoap (RFC 9528 App. A.2), then OSCORE (App. A.1).

Thin by design: the resource hands each POST payload to the sans-I/O server of
``edhoc_ra.coap`` and sends back its ``CoapReply``; the client coroutine sends each
``CoapRequest`` of a client exchange and feeds the response back.  Completed
sessions arrive on a queue, and their OSCORE context is handed to aiocoap, whose
OSCORE implementation (RFC 8613) derives the sender/recipient keys from our
exported Master Secret and Master Salt and protects the application requests.

Needs the ``coap`` extra: aiocoap with its OSCORE dependencies (``aiocoap[oscore]``).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Mapping
from typing import Any, Final

from edhoc_ra import (
    WELL_KNOWN_EDHOC_PATH,
    CoapReply,
    CompletedSession,
    EdhocCoapServer,
    EdhocConfig,
    EdhocError,
    ForwardClient,
    ForwardServer,
    Initiator,
    OscoreContext,
    Responder,
    ReverseClient,
    ReverseServer,
    split_combined_payload,
)
from ratscore.crypto import CryptoProvider
from ratscore.errors import UnsupportedAlgorithm

try:
    import aiocoap
    from aiocoap import error, interfaces, oscore, resource
    from aiocoap.credentials import CredentialsMap
    from aiocoap.numbers.codes import Code
    from aiocoap.oscore_sitewrapper import OscoreSiteWrapper
    from aiocoap.transports.oscore import OSCOREAddress
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "edhoc_ra.asyncio needs aiocoap with OSCORE support: pip install 'attested-stack[coap]' 'aiocoap[oscore]'"
    ) from exc

__all__ = [
    "DEFAULT_PORT",
    "EdhocServer",
    "Flow",
    "OscoreOnlyResource",
    "OscoreSecurityContext",
    "edhoc_uri",
    "oscore_request",
    "run_client",
]

DEFAULT_PORT: Final = 5683  # the default "coap" UDP port (RFC 7252 §6.1)
_REPLAY_WINDOW: Final = 32  # RFC 8613 §7.4: a default window of 32
# COSE hash algorithm id -> aiocoap's name for HKDF (RFC 8613 §3.2: HKDF with the application hash)
_HASHES: Final = {-16: "sha256", -43: "sha384", -44: "sha512"}


class Flow(enum.Enum):
    """Which end of the CoAP exchange is the EDHOC Initiator (RFC 9528 App. A.2)."""

    FORWARD = "forward"  # CoAP client = Initiator (App. A.2.1)
    REVERSE = "reverse"  # CoAP client = Responder (App. A.2.2)


def edhoc_uri(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
    """The well-known EDHOC resource of a CoAP server (RFC 9528 §10.7)."""
    authority = f"[{host}]" if ":" in host else host
    return f"coap://{authority}:{port}/" + "/".join(WELL_KNOWN_EDHOC_PATH)


# ---------------------------------------------------------------------------
# OSCORE: our exported parameters in aiocoap's security-context interface


def _aead_algorithm(cose_id: int) -> Any:
    for algorithm in oscore.algorithms.values():
        if getattr(algorithm, "value", None) == cose_id:
            return algorithm
    raise UnsupportedAlgorithm(f"aiocoap has no OSCORE AEAD with COSE id {cose_id}")


def _hash_function(cose_id: int) -> Any:
    name = _HASHES.get(cose_id)
    if name is None:
        raise UnsupportedAlgorithm(f"aiocoap has no OSCORE HKDF for COSE hash {cose_id}")
    return oscore.hashfunctions[name]


class OscoreSecurityContext(oscore.CanProtect, oscore.CanUnprotect, oscore.SecurityContextUtils):  # type: ignore[misc]
    """An in-memory OSCORE Security Context (RFC 8613 §3) built from EDHOC's export.

    Sender/Recipient ID, Master Secret and Master Salt come from RFC 9528 App. A.1;
    aiocoap derives the Sender Key, Recipient Key and Common IV (RFC 8613 §3.2.1)."""

    def __init__(self, exported: OscoreContext) -> None:
        self.alg_aead = _aead_algorithm(exported.aead_algorithm)  # App. A.1: the application AEAD
        self.hashfun = _hash_function(exported.hkdf_algorithm)  # App. A.1: HKDF with the application hash
        self.id_context = None  # App. A.1 sets no ID Context
        self.sender_id = exported.sender_id
        self.recipient_id = exported.recipient_id
        self.sender_sequence_number = 0  # RFC 8613 §3.2.2: starts at 0
        self.recipient_replay_window = oscore.ReplayWindow(_REPLAY_WINDOW, lambda: None)
        self.recipient_replay_window.initialize_empty()
        self.authenticated_claims: list[str] = []
        self.derive_keys(exported.master_salt, exported.master_secret)

    def post_seqnoincrease(self) -> None:
        """Nothing to persist: the context lives as long as the process."""

    def find_all_used_contextless_oscore_kid(self) -> set[bytes]:
        return {self.recipient_id}

    def __repr__(self) -> str:  # never the keys
        return f"<OscoreSecurityContext sender_id={self.sender_id.hex()} recipient_id={self.recipient_id.hex()}>"


class OscoreOnlyResource(resource.Resource):  # type: ignore[misc]  # aiocoap is untyped
    """A GET resource that answers only OSCORE-protected requests (4.01 otherwise)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    async def render_get(self, request: Any) -> Any:
        remote = request.remote
        if not isinstance(remote, OSCOREAddress):
            return aiocoap.Message(code=aiocoap.UNAUTHORIZED, payload=b"OSCORE required")
        kid = remote.security_context.recipient_id.hex()
        return aiocoap.Message(code=aiocoap.CONTENT, payload=f"{self._text} (OSCORE, client kid {kid})".encode())


async def oscore_request(
    context: Any, session: CompletedSession, uri: str, *, code: Any = None, payload: bytes = b""
) -> Any:
    """Send one OSCORE-protected request with the session's exported context; the response."""
    context.client_credentials[uri] = OscoreSecurityContext(session.oscore_context())
    request = aiocoap.Message(code=code if code is not None else aiocoap.GET, uri=uri, payload=payload)
    return await context.request(request).response


# ---------------------------------------------------------------------------
# Server


class _EdhocErrorResponse(error.RenderableError):  # type: ignore[misc]  # aiocoap is untyped
    """An EDHOC error message as an unprotected CoAP error response (RFC 9668 §3.3.1)."""

    def __init__(self, reply: CoapReply) -> None:
        super().__init__(str(reply.failure))
        self.reply = reply

    def to_message(self) -> Any:
        return _message(self.reply)


def _message(reply: CoapReply) -> Any:
    return aiocoap.Message(code=Code(int(reply.code)), payload=reply.payload, content_format=reply.content_format)


class _CombinedRequestContext:
    """Stands under C_R in the server's OSCORE credentials while message_3 is awaited,
    so that an EDHOC + OSCORE request (RFC 9668 §3.3.1) completes the session and is
    then unprotected with the new context.  aiocoap finds it through
    ``get_oscore_context_for`` like any security context."""

    def __init__(self, server: EdhocServer, c_r: bytes) -> None:
        self._server = server
        self._c_r = c_r
        self._established: OscoreSecurityContext | None = None

    def get_oscore_context_for(self, unprotected: Mapping[int, Any]) -> _CombinedRequestContext | None:
        if oscore.COSE_KID_CONTEXT in unprotected or unprotected.get(oscore.COSE_KID) != self._c_r:
            return None
        return self

    def find_all_used_contextless_oscore_kid(self) -> set[bytes]:
        return {self._c_r}

    def unprotect(self, request: Any, request_id: Any = None) -> Any:
        if self._established is None:
            if not request.opt.edhoc:  # RFC 9668 §3.3.1: OSCORE before EDHOC completed
                raise error.BadRequest("EDHOC has not completed")
            try:
                message_3, oscore_payload = split_combined_payload(request.payload)
            except EdhocError as exc:
                raise error.BadRequest(str(exc)) from None
            core = self._server.core
            assert isinstance(core, ForwardServer)  # RFC 9668 is defined for the forward flow only
            reply = core.handle_combined_request(self._c_r, message_3)
            self._server._take(reply)
            if reply.completed is None:
                raise _EdhocErrorResponse(reply)
            established = self._server.credentials.get(_credentials_label(self._c_r))
            if not isinstance(established, OscoreSecurityContext):
                raise error.InternalServerError("no OSCORE context for this cipher suite")
            self._established = established
            request = request.copy(edhoc=False, payload=oscore_payload)  # §3.3.1: strip message_3 and the option
        return self._established.unprotect(request, request_id)

    def context_for_response(self) -> OscoreSecurityContext:
        assert self._established is not None
        return self._established

    def __getattr__(self, name: str) -> Any:
        # aiocoap reads context attributes (recipient_key, ...) through the request's remote
        established = self.__dict__.get("_established")
        if established is None:
            raise AttributeError(name)
        return getattr(established, name)


def _credentials_label(recipient_id: bytes) -> str:
    return f":edhoc:{recipient_id.hex()}"


class _EdhocResource(resource.Resource):  # type: ignore[misc]  # aiocoap is untyped
    """POST /.well-known/edhoc: one call to the sans-I/O server per request."""

    def __init__(self, server: EdhocServer) -> None:
        super().__init__()
        self._server = server

    async def render_post(self, request: Any) -> Any:
        content_format = request.opt.content_format
        reply = self._server.core.handle_request(
            request.payload, int(content_format) if content_format is not None else None
        )
        self._server._take(reply)
        return _message(reply)


class _Front(interfaces.Resource):  # type: ignore[misc]  # aiocoap is untyped
    """The EDHOC resource in the clear; everything else behind aiocoap's OSCORE wrapper
    (whose own lakers-based EDHOC resource would otherwise take the well-known path)."""

    def __init__(self, edhoc: resource.Site, protected: OscoreSiteWrapper) -> None:
        self._edhoc = edhoc
        self._protected = protected

    async def render_to_pipe(self, pipe: Any) -> None:
        target = self._edhoc if tuple(pipe.request.opt.uri_path) == WELL_KNOWN_EDHOC_PATH else self._protected
        await target.render_to_pipe(pipe)

    async def render(self, request: Any) -> Any:  # aiocoap calls render_to_pipe only
        raise NotImplementedError("rendered through render_to_pipe")

    async def needs_blockwise_assembly(self, request: Any) -> bool:
        return True

    def get_resources_as_linkheader(self) -> Any:
        return self._protected.get_resources_as_linkheader()


_SERVERS: Final[Mapping[Flow, type[EdhocCoapServer]]] = {Flow.FORWARD: ForwardServer, Flow.REVERSE: ReverseServer}


class EdhocServer:
    """A CoAP server with the EDHOC resource and OSCORE-protected ``resources``.

    Every completed session goes on ``sessions`` and its OSCORE context is installed,
    so the client can then reach ``resources`` with OSCORE."""

    def __init__(self, core: EdhocCoapServer) -> None:
        self.core = core
        self.sessions: asyncio.Queue[CompletedSession] = asyncio.Queue()
        self.failures: list[Exception] = []
        self.credentials = CredentialsMap()
        self.context: Any = None
        self.address: tuple[str, int] = ("", 0)

    @classmethod
    async def create(
        cls,
        config: EdhocConfig,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        flow: Flow = Flow.FORWARD,
        crypto: CryptoProvider | str | None = None,
        resources: Mapping[tuple[str, ...], Any] | None = None,
    ) -> EdhocServer:
        server = cls(_SERVERS[flow](config, crypto=crypto))
        edhoc_site = resource.Site()
        edhoc_site.add_resource(WELL_KNOWN_EDHOC_PATH, _EdhocResource(server))
        protected_site = resource.Site()
        for path, child in (resources or {}).items():
            protected_site.add_resource(path, child)
        front = _Front(edhoc_site, OscoreSiteWrapper(protected_site, server.credentials))
        server.context = await aiocoap.Context.create_server_context(front, bind=(host, port), transports=["udp6"])
        server.address = (host, port)
        return server

    @property
    def uri(self) -> str:
        return edhoc_uri(*self.address)

    async def next_session(self) -> CompletedSession:
        return await self.sessions.get()

    def _take(self, reply: CoapReply) -> None:
        if reply.failure is not None:
            self.failures.append(reply.failure)
        if reply.awaiting_combined_request is not None:
            c_r = reply.awaiting_combined_request
            self.credentials[_credentials_label(c_r)] = _CombinedRequestContext(self, c_r)
        session = reply.completed
        if session is not None:
            exported = session.oscore_context()
            try:
                self.credentials[_credentials_label(exported.recipient_id)] = OscoreSecurityContext(exported)
            except UnsupportedAlgorithm as exc:  # e.g. suite 25's SHAKE256: EDHOC works, OSCORE here does not
                self.failures.append(exc)
            self.sessions.put_nowait(session)

    async def close(self) -> None:
        if self.context is not None:
            await self.context.shutdown()
            self.context = None


# ---------------------------------------------------------------------------
# Client


async def run_client(
    config: EdhocConfig,
    uri: str,
    *,
    flow: Flow = Flow.FORWARD,
    crypto: CryptoProvider | str | None = None,
    context: Any = None,
    suite_retries: int = 1,
) -> CompletedSession:
    """Run one EDHOC session as a CoAP client against ``uri`` (the EDHOC resource).

    Forward flow: we are the Initiator; reverse flow: the Responder.  ``context`` is
    an aiocoap client context to use (one is created and shut down otherwise)."""
    exchange = (
        ForwardClient(Initiator(config, crypto=crypto), suite_retries=suite_retries)
        if flow is Flow.FORWARD
        else ReverseClient(Responder(config, crypto=crypto))
    )
    own_context = context is None
    if own_context:
        context = await aiocoap.Context.create_client_context()
    try:
        while (request := exchange.next_request()) is not None:
            message = aiocoap.Message(
                code=aiocoap.POST, uri=uri, payload=request.payload, content_format=request.content_format
            )
            response = await context.request(message).response
            content_format = response.opt.content_format
            exchange.receive_response(
                int(response.code), response.payload, int(content_format) if content_format is not None else None
            )
        return exchange.result()
    finally:
        if own_context:
            await context.shutdown()
