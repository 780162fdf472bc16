"""The transition tables: ``(State, HandshakeType) -> handler``, one per role.

RFC 8446 §A.1 (client) and §A.2 (server) drawn as dictionaries.  The connection looks
up the current state and the type of each reassembled handshake message; a missing key
is a message the protocol does not allow here and is answered with unexpected_message
(RFC 8446 §6.2).  Handlers return the next state; only the connection assigns it.

Not in the tables, so always unexpected_message: EndOfEarlyData (we never accept 0-RTT),
a server's NewSessionTicket to a server, post-handshake CertificateRequest (we never
offer post_handshake_auth, RFC 8446 §4.6.2), and every TLS 1.2 message type.
"""

from __future__ import annotations

from . import client, server
from .enums import HandshakeType
from .handshake_common import Handler, State

__all__ = ["CLIENT_TRANSITIONS", "SERVER_TRANSITIONS", "State"]

CLIENT_TRANSITIONS: dict[tuple[State, HandshakeType], Handler] = {
    (State.CLIENT_WAIT_SERVER_HELLO, HandshakeType.SERVER_HELLO): client.handle_server_hello,
    (State.CLIENT_WAIT_SERVER_HELLO_AFTER_RETRY, HandshakeType.SERVER_HELLO): client.handle_server_hello_after_retry,
    (State.CLIENT_WAIT_ENCRYPTED_EXTENSIONS, HandshakeType.ENCRYPTED_EXTENSIONS): client.handle_encrypted_extensions,
    (State.CLIENT_WAIT_CERTIFICATE_OR_REQUEST, HandshakeType.CERTIFICATE_REQUEST): client.handle_certificate_request,
    (State.CLIENT_WAIT_CERTIFICATE_OR_REQUEST, HandshakeType.CERTIFICATE): client.handle_certificate,
    (State.CLIENT_WAIT_CERTIFICATE, HandshakeType.CERTIFICATE): client.handle_certificate,
    (State.CLIENT_WAIT_CERTIFICATE_VERIFY, HandshakeType.CERTIFICATE_VERIFY): client.handle_certificate_verify,
    (State.CLIENT_WAIT_FINISHED, HandshakeType.FINISHED): client.handle_finished,
    # RFC 8446 §4.6: after the handshake.  Tickets are discarded (no resumption).
    (State.CONNECTED, HandshakeType.NEW_SESSION_TICKET): client.handle_new_session_ticket,
    (State.CONNECTED, HandshakeType.KEY_UPDATE): client.handle_key_update,
}

SERVER_TRANSITIONS: dict[tuple[State, HandshakeType], Handler] = {
    (State.SERVER_WAIT_CLIENT_HELLO, HandshakeType.CLIENT_HELLO): server.handle_client_hello,
    (State.SERVER_WAIT_CLIENT_HELLO_AFTER_RETRY, HandshakeType.CLIENT_HELLO): server.handle_client_hello_after_retry,
    (State.SERVER_WAIT_CERTIFICATE, HandshakeType.CERTIFICATE): server.handle_certificate,
    (State.SERVER_WAIT_CERTIFICATE_VERIFY, HandshakeType.CERTIFICATE_VERIFY): server.handle_certificate_verify,
    (State.SERVER_WAIT_FINISHED, HandshakeType.FINISHED): server.handle_finished,
    (State.CONNECTED, HandshakeType.KEY_UPDATE): server.handle_key_update,
}
