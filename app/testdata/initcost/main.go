// Command initcost links the app package and does nothing: TestInitCost
// runs it with GODEBUG=inittrace=1 to read what initialising app (and the
// gochalice packages it imports) costs at every cold start.
package main

import _ "github.com/gochalice/gochalice/app"

func main() {}
