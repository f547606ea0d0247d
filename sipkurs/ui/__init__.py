"""Widgets of the participant app and the trainer page (no domain logic)."""


def on_enter(text_widget, callback) -> None:
    """Run ``callback`` when Enter is pressed in a one-line text field (the form's expected behaviour).

    ipywidgets 8 marks ``on_submit`` deprecated without a replacement that fires on Enter only (not on leaving the
    field), so it is used here, in one place, with its warning silenced."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        text_widget.on_submit(lambda _w: callback())
