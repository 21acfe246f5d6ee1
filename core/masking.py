def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four digits stay readable."""
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
