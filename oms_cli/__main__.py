from oms_cli.cli.app import main

main()
