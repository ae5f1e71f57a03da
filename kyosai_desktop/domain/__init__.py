"""Pure business rules (fiscal months, rates, estimate arithmetic). No Qt, no SQL."""
