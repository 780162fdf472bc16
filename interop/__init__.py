"""Interop tests against real peers (OpenSSL, stdlib ssl, tlslite-ng, lakers-python, aiocoap)."""
