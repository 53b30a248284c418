package webui

import (
	"embed"
	"net/http"
)

//go:embed assets
var assetFS embed.FS

// assetHandler serves the style sheet and the script. They may be cached
// for a while: they change only with the daemon.
func assetHandler() http.Handler {
	files := http.FileServerFS(assetFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		files.ServeHTTP(w, r)
	})
}
