from chatcart.cli import main

main()
