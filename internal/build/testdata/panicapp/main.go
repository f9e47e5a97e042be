// Command panicapp registers the same route twice, a registration mistake
// that must surface when the manifest is taken.
package main

import (
	"net/http"

	"github.com/gochalice/gochalice/app"
)

func main() {
	a := app.New("panicapp")
	h := func(http.ResponseWriter, *http.Request) {}
	a.Route("GET /x/{id}", h)
	a.Route("GET /x/{other}", h)
	a.Run()
}
