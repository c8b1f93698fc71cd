from sprechstunde_cli.cli import main

main()
