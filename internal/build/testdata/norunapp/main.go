// Command norunapp registers a route and returns from main without calling
// Run, so it prints no manifest.
package main

import (
	"net/http"

	"github.com/gochalice/gochalice/app"
)

func main() {
	a := app.New("norunapp")
	a.Route("GET /", func(http.ResponseWriter, *http.Request) {})
}
