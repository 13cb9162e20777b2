from scriptkit.cli import main

main()
