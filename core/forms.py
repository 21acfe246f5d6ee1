from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, *, default_field: str | None = None) -> None:
    """Show a service's ValidationError on the form that called it.

    Field errors land on their field when the form has it, else on the form; a
    plain message lands on `default_field` (or the form as a whole).
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        target = default_field if default_field in form.fields else None
        form.add_error(target, error.messages)
