from corpora.fresh_corpus import main

main()
