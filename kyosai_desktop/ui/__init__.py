"""Everything PySide6: windows, models, delegates, dialogs, printing."""
