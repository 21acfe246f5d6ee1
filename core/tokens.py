import secrets

# No 0/O/1/I/L: codes are read aloud over the phone and typed on old handsets.
READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def public_token() -> str:
    """An unguessable URL token (~128 bits)."""
    return secrets.token_urlsafe(16)


def readable_code(length: int = 10) -> str:
    return "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))
