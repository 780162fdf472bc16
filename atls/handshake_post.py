"""Post-handshake messages common to both roles: KeyUpdate (RFC 8446 §4.6.3).

KeyUpdate is not part of the transcript.  Receiving one moves our read key to the
next application traffic secret (§7.2); when the peer sets ``update_requested`` we
answer with our own KeyUpdate (``update_not_requested``) before any further data, as
§4.6.3 requires, unless we have already closed our sending side.
"""

from __future__ import annotations

from .codec import HandshakeMessage
from .enums import ContentType, KeyUpdateRequest, Role
from .events import KeyUpdated
from .handshake_common import HandshakeContext, State
from .messages import KeyUpdate, decode_key_update

__all__ = ["handle_key_update", "send_key_update"]


def _next_secret(ctx: HandshakeContext, role: Role) -> bytes:
    """RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(.., "traffic upd", "", Hash.length)."""
    if role is Role.CLIENT:
        ctx.client_application_traffic_secret = ctx.schedule.next_traffic_secret(ctx.client_application_traffic_secret)
        return ctx.client_application_traffic_secret
    ctx.server_application_traffic_secret = ctx.schedule.next_traffic_secret(ctx.server_application_traffic_secret)
    return ctx.server_application_traffic_secret


def send_key_update(ctx: HandshakeContext, request: KeyUpdateRequest) -> None:
    """Send KeyUpdate under the current key, then switch our write key (RFC 8446 §4.6.3)."""
    assert ctx.cipher_suite is not None
    ctx.outgoing += ctx.record_layer.send(ContentType.HANDSHAKE, KeyUpdate(request_update=request).encode())
    ctx.record_layer.set_write_key(ctx.cipher_suite, _next_secret(ctx, ctx.role))


def handle_key_update(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    update = decode_key_update(message.body)
    assert ctx.cipher_suite is not None
    ctx.reassembler.ensure_aligned()  # RFC 8446 §5.1: no message spans a key change
    ctx.record_layer.set_read_key(ctx.cipher_suite, _next_secret(ctx, ctx.role.peer))
    requested = update.request_update is KeyUpdateRequest.UPDATE_REQUESTED
    # RFC 8446 §4.6.3: "If the request_update field is set to "update_requested", then the
    # receiver MUST send a KeyUpdate of its own with request_update set to "update_not_requested"
    # prior to sending its next Application Data record."
    if requested and not ctx.local_closed:
        send_key_update(ctx, KeyUpdateRequest.UPDATE_NOT_REQUESTED)
    ctx.events.append(KeyUpdated(update_requested=requested))
    return State.CONNECTED
