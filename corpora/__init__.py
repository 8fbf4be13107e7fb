"""The evaluation corpora: the redaction recall corpora (tuned, held out, fresh) and the recall of sealed
episodes over them. Evaluations (tests marked `eval`) and benchmarks read them; bench/README.md has their
figures."""
