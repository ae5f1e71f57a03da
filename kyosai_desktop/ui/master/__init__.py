"""マスタ・設定: master data and settings."""
