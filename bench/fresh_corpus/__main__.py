from bench.fresh_corpus import main

main()
