"""HCL: our own parser and evaluator (see notes/deps.md for why), and Atlas's schema HCL."""
