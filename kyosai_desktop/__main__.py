from kyosai_desktop.cli import main

raise SystemExit(main())
