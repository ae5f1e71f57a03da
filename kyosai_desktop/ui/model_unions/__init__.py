"""モデル単組: the model-union table, its import and the union sheets."""
