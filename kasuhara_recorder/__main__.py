from kasuhara_recorder.cli import main

raise SystemExit(main())
