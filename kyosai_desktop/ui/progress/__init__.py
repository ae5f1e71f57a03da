"""県支部実績: branch progress."""
