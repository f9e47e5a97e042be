package main

import "flag"

// update rewrites the golden files under testdata; every test file of the
// command shares it.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func updating() bool { return *update }
