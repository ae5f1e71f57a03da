"""月次入力: the monthly entry grids."""
