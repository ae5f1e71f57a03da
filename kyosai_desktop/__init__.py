"""kyosai-desktop: the 県支部 (prefecture branch) app for 自治労共済 promotion work."""

__version__ = "0.1.0"
APP_NAME = "kyosai-desktop"
APP_TITLE = "共済推進 県支部アプリ"
