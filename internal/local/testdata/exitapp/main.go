// Command exitapp is the fixture of local's test of an app that stops on
// its own: it gives its manifest, then exits with an error instead of
// serving, as an app whose start-up fails does.
package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/manifest"
)

func main() {
	a := app.New("exitapp")
	a.Route("GET /", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("never")) })
	if os.Getenv(manifest.EnvManifest) == "" {
		fmt.Fprintln(os.Stderr, "exitapp: cannot start")
		os.Exit(3)
	}
	a.Run()
}
