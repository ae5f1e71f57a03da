"""Paper and PDF rendering (QPainter on QtGui only, never widgets), shared by the GUI and the CLI."""
