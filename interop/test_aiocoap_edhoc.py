"""Interop with aiocoap's own EDHOC (built on lakers-python) over UDP loopback.

aiocoap's EDHOC is method 3, cipher suite 2, CCS credentials only (see
``aiocoap/edhoc.py``), so that is what runs here:

* our CoAP client (Initiator, forward flow) against aiocoap's server
  (``OscoreSiteWrapper``): aiocoap always answers message_3 with message_4, so our
  client uses message_4; then an OSCORE GET with our exported context to an
  aiocoap resource protected by aiocoap's lakers-derived context;
* aiocoap's client against our server, both ways aiocoap can finish EDHOC:
  C_R ‖ message_3 then message_4 (``use_combined_edhoc=False``), and its default,
  the EDHOC + OSCORE combined request (RFC 9668, option 21).  The OSCORE request
  that aiocoap protects with its own context reaches our OSCORE-only resource.

The reverse flow cannot be tested: aiocoap implements only the forward flow
(its server is always the Responder, its client always the Initiator).
Each OSCORE round trip proves that our EDHOC_Exporter output (RFC 9528 App. A.1)
equals lakers'.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from edhoc_ra import Credential, EdhocConfig, IdCred, LocalCredential, Method
from interop.conftest import require_module
from ratscore.crypto import KeyType, get_provider

aiocoap = require_module("aiocoap", "pip install 'aiocoap[oscore]'")
require_module("lakers", "pip install lakers-python")
aiocoap_oscore = require_module("aiocoap.oscore", "pip install 'aiocoap[oscore]' (filelock, cbor-diag)")
cbor2 = require_module("cbor2", "pip install cbor2")
aiocoap_edhoc = require_module("aiocoap.edhoc", "pip install 'aiocoap[oscore]'")
aiocoap_resource = require_module("aiocoap.resource", "pip install 'aiocoap[oscore]'")
sitewrapper = require_module("aiocoap.oscore_sitewrapper", "pip install 'aiocoap[oscore]'")
aiocoap_credentials = require_module("aiocoap.credentials", "pip install 'aiocoap[oscore]'")

from edhoc_ra.asyncio import EdhocServer, OscoreOnlyResource, oscore_request, run_client  # noqa: E402

T = TypeVar("T")
TIMEOUT = 10.0
OURS_KID = b"\x2b"
THEIRS_KID = b"\x32"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coroutine, TIMEOUT))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def p256_identity(kid: bytes, subject: str) -> tuple[LocalCredential, bytes]:
    """A P-256 static DH key as a CCS credential (by kid), and its private scalar d."""
    crypto = get_provider()
    key = crypto.generate_private_key(KeyType.P256)
    credential = Credential.from_public_key(key.public_key(), kid=kid, subject=subject)
    local = LocalCredential(credential=credential, id_cred=IdCred.by_kid(kid), private_key=key)
    return local, key.private_bytes()


def aiocoap_credentials_for(
    own: LocalCredential | None, own_d: bytes | None, peer: Credential | None, **extra: Any
) -> Any:
    """aiocoap's EdhocCredentials: suite 2, method 3, CCS as {14: claims} (aiocoap/edhoc.py)."""
    arguments: dict[str, Any] = {"suite": 2, "method": 3, **extra}
    if own is not None:
        arguments["own_cred_style"] = "by-key-id"
        arguments["own_cred"] = {14: cbor2.loads(own.credential.cred)}
        arguments["private_key"] = {1: 2, -1: 1, -4: own_d}  # COSE_Key EC2 P-256 with 'd'
    if peer is not None:
        arguments["peer_cred"] = {14: cbor2.loads(peer.cred)}
    return aiocoap_edhoc.EdhocCredentials(**arguments)


def our_config(local: LocalCredential, peer: Credential, *, use_message_4: bool) -> EdhocConfig:
    trusted = {peer.kid: peer}
    return EdhocConfig(
        method=Method.STAT_STAT,
        credential=local,
        suites=(2,),
        use_message_4=use_message_4,
        credential_resolver=lambda id_cred: trusted.get(id_cred.kid),
    )


class _Hello(aiocoap_resource.Resource):  # type: ignore[misc,name-defined]  # a module found at run time
    async def render_get(self, request: Any) -> Any:
        protected = "OSCORE" in type(request.remote).__name__
        return aiocoap.Message(code=aiocoap.CONTENT, payload=b"protected" if protected else b"plain")


async def _our_client_against_aiocoap_server() -> tuple[Any, Any]:
    ours, _ = p256_identity(OURS_KID, "ours")
    theirs, theirs_d = p256_identity(THEIRS_KID, "aiocoap")
    port = free_udp_port()
    site = aiocoap_resource.Site()
    site.add_resource(["hello"], _Hello())
    server_credentials = aiocoap_credentials.CredentialsMap()
    # aiocoap looks its own identity up by the request's origin, its clients by label
    server_credentials[f"coap://127.0.0.1:{port}/*"] = aiocoap_credentials_for(theirs, theirs_d, None)
    server_credentials[":ours"] = aiocoap_credentials_for(None, None, ours.credential)
    server = await aiocoap.Context.create_server_context(
        sitewrapper.OscoreSiteWrapper(site, server_credentials), bind=("127.0.0.1", port), transports=["udp6"]
    )
    context = await aiocoap.Context.create_client_context()
    try:
        config = our_config(ours, theirs.credential, use_message_4=True)
        session = await run_client(config, f"coap://127.0.0.1:{port}/.well-known/edhoc", context=context)
        response = await oscore_request(context, session, f"coap://127.0.0.1:{port}/hello")
        return session, response
    finally:
        await context.shutdown()
        await server.shutdown()


def test_our_client_against_aiocoap_server_then_oscore() -> None:
    session, response = run(_our_client_against_aiocoap_server())
    assert session.handshake.selected_suite == 2
    assert session.handshake.method == Method.STAT_STAT
    assert response.code == aiocoap.CONTENT
    assert response.payload == b"protected"  # aiocoap unprotected it with its lakers-derived context


async def _aiocoap_client_against_our_server(combined: bool) -> tuple[Any, Any, list[Exception]]:
    ours, _ = p256_identity(THEIRS_KID, "ours")
    theirs, theirs_d = p256_identity(OURS_KID, "aiocoap")
    port = free_udp_port()
    # without the combined request aiocoap expects message_4 in the 2.04 to message_3
    config = our_config(ours, theirs.credential, use_message_4=not combined)
    resources: dict[tuple[str, ...], Any] = {("hello",): OscoreOnlyResource("hello")}
    server = await EdhocServer.create(config, port=port, resources=resources)
    context = await aiocoap.Context.create_client_context()
    try:
        context.client_credentials[f"coap://127.0.0.1:{port}/*"] = aiocoap_credentials_for(
            theirs, theirs_d, ours.credential, use_combined_edhoc=combined
        )
        request = aiocoap.Message(code=aiocoap.GET, uri=f"coap://127.0.0.1:{port}/hello")
        response = await context.request(request).response
        session = await server.next_session()
        return session, response, list(server.failures)
    finally:
        await context.shutdown()
        await server.close()


@pytest.mark.parametrize("combined", [False, True], ids=["message-3-then-message-4", "rfc9668-combined"])
def test_aiocoap_client_against_our_server_then_oscore(combined: bool) -> None:
    session, response, failures = run(_aiocoap_client_against_our_server(combined))
    assert failures == []
    assert session.handshake.selected_suite == 2
    assert session.handshake.peer_credential.kid == OURS_KID
    client_kid = session.oscore_context().recipient_id.hex()
    assert response.code == aiocoap.CONTENT
    assert response.payload == f"hello (OSCORE, client kid {client_kid})".encode()


async def _aiocoap_client_with_unknown_credential() -> Exception:
    ours, _ = p256_identity(THEIRS_KID, "ours")
    theirs, theirs_d = p256_identity(OURS_KID, "aiocoap")
    stranger, _ = p256_identity(b"\x07", "stranger")
    port = free_udp_port()
    server = await EdhocServer.create(our_config(ours, stranger.credential, use_message_4=False), port=port)
    context = await aiocoap.Context.create_client_context()
    try:
        context.client_credentials[f"coap://127.0.0.1:{port}/*"] = aiocoap_credentials_for(
            theirs, theirs_d, ours.credential
        )
        request = aiocoap.Message(code=aiocoap.GET, uri=f"coap://127.0.0.1:{port}/hello")
        # aiocoap's client reports the unprotected error response as "not a protected message"
        with pytest.raises(aiocoap_oscore.NotAProtectedMessage) as caught:
            await context.request(request).response
        response = caught.value.plain_message
        assert response.code == aiocoap.BAD_REQUEST  # RFC 9668 §3.3.1: EDHOC failed, error unprotected
        assert int(response.opt.content_format) == 64
        assert response.payload == b"\x03\xf5"  # ERR_CODE 3, ERR_INFO true (RFC 9528 §6.4)
        assert server.sessions.empty()
        return server.failures[0]
    finally:
        await context.shutdown()
        await server.close()


def test_aiocoap_client_with_unknown_credential_gets_error_3() -> None:
    failure = run(_aiocoap_client_with_unknown_credential())
    assert type(failure).__name__ == "UnknownCredentialReferenced"
